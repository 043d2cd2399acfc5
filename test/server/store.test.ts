import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNunchiError, type NunchiError } from '../../src/core/errors.ts';
import { openStore, type Store } from '../../src/store/index.ts';

describe('store', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-store-'));
    store = openStore(dir);
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the database in WAL mode', () => {
    const db = new Database(store.file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('lists feedback as labels without opted-out users', () => {
    const base = {
      predictedLabel: 'positive' as const,
      modelName: 'sentiment-ko' as const,
      modelVersion: 'v1',
      source: 'discord' as const,
    };
    const first = store.recordFeedback({
      ...base,
      text: '별로',
      correctLabel: 'negative',
      userId: 'a',
    });
    store.recordFeedback({ ...base, text: '최고', correctLabel: 'positive', userId: 'b' });
    store.recordFeedback({
      ...base,
      text: 'meh',
      correctLabel: 'negative',
      modelName: 'sentiment-en',
    });
    expect(first.id).toBeGreaterThan(0);
    expect(store.listFeedback('sentiment-ko').map((row) => [row.text, row.label])).toEqual([
      ['별로', 0],
      ['최고', 1],
    ]);
    store.setOptOut('user', 'a', true);
    expect(store.isOptedOut('user', 'a')).toBe(true);
    expect(store.listFeedback('sentiment-ko').map((row) => row.text)).toEqual(['최고']);
    store.setOptOut('user', 'a', false);
    expect(store.isOptedOut('user', 'a')).toBe(false);
    expect(store.listFeedback('sentiment-ko')).toHaveLength(2);
  });

  it('drops feedback of an opted-out guild', () => {
    store.recordFeedback({
      text: 'good',
      predictedLabel: 'negative',
      correctLabel: 'positive',
      modelName: 'sentiment-en',
      modelVersion: 'v1',
      source: 'discord',
      guildId: '123456',
    });
    store.setOptOut('guild', '123456', true);
    expect(store.listFeedback('sentiment-en')).toEqual([]);
  });

  it('keeps the audit trail newest first', () => {
    store.audit({ actor: 'admin', action: 'retrain', target: 'digits-mlp', outcome: 'accepted' });
    store.audit({ actor: 'admin', action: 'promote', outcome: 'ok', details: { version: 'v2' } });
    const records = store.listAudit();
    expect(records.map((record) => record.action)).toEqual(['promote', 'retrain']);
    expect(records[0].details).toEqual({ version: 'v2' });
    expect(records[1].target).toBe('digits-mlp');
  });

  it('tracks a job through its states', () => {
    const job = store.createJob({
      id: 'j1',
      model: 'digits-mlp',
      actor: 'admin',
      request: { limit: 5 },
    });
    expect(job.state).toBe('queued');
    expect(store.activeJob('digits-mlp')?.id).toBe('j1');
    const progress = { phase: 'training' as const, epoch: 1, epochs: 2, batch: 3, batches: 4 };
    store.updateJob('j1', { state: 'running', startedAt: new Date().toISOString(), progress });
    expect(store.getJob('j1')?.progress).toEqual(progress);
    store.updateJob('j1', { state: 'succeeded', finishedAt: new Date().toISOString() });
    expect(store.activeJob('digits-mlp')).toBeUndefined();
    expect(store.listJobs().map((row) => row.id)).toEqual(['j1']);
  });

  it('marks unfinished jobs interrupted with their pending promotion', () => {
    store.createJob({ id: 'j1', model: 'digits-mlp', actor: 'admin', request: {} });
    store.updateJob('j1', {
      state: 'running',
      pendingPromotion: { model: 'digits-mlp', from: 'v1', to: 'v2' },
    });
    store.createJob({ id: 'j2', model: 'digits-cnn', actor: 'admin', request: {} });
    store.updateJob('j2', { state: 'failed', error: 'boom' });
    const interrupted = store.interruptUnfinishedJobs();
    expect(interrupted.map((entry) => entry.job.id)).toEqual(['j1']);
    expect(interrupted[0].job.state).toBe('interrupted');
    expect(interrupted[0].pendingPromotion).toEqual({ model: 'digits-mlp', from: 'v1', to: 'v2' });
    expect(store.getJob('j2')?.state).toBe('failed');
  });

  it('shares one file between two connections', () => {
    const other = openStore(dir);
    other.setOptOut('user', 'x', true);
    expect(store.isOptedOut('user', 'x')).toBe(true);
    other.close();
  });

  it('reports a lock held past the busy timeout as retryable', () => {
    const locker = new Database(store.file);
    locker.prepare('BEGIN IMMEDIATE').run();
    try {
      let caught: unknown;
      try {
        store.setOptOut('user', 'locked', true);
      } catch (error) {
        caught = error;
      }
      expect(isNunchiError(caught, 'STORAGE_FAILED')).toBe(true);
      expect((caught as NunchiError).message).toContain('locked by another process');
      expect((caught as NunchiError).details.retryAfterSeconds).toBeGreaterThan(0);
      // WAL readers do not wait for the writer.
      expect(store.isOptedOut('user', 'locked')).toBe(false);
    } finally {
      locker.prepare('ROLLBACK').run();
      locker.close();
    }
    store.setOptOut('user', 'locked', true);
    expect(store.isOptedOut('user', 'locked')).toBe(true);
  });

  it('finds a data set by its hash', () => {
    store.saveDataset({
      id: 'ds-1',
      sha256: 'abc',
      format: 'csv',
      path: '/tmp/x.csv',
      bytes: 10,
      totalRows: 3,
      acceptedRows: 2,
      skippedLines: [3],
      actor: 'admin',
      createdAt: new Date().toISOString(),
    });
    expect(store.findDatasetBySha256('abc')?.skippedLines).toEqual([3]);
    expect(store.getDataset('ds-1')?.acceptedRows).toBe(2);
    expect(store.listDatasets()).toHaveLength(1);
  });
});
