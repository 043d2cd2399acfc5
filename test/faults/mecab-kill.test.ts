/**
 * The MeCab child process killed while a request waits on it. MeCab is stopped (SIGSTOP) so the
 * request is written to it and stays unanswered, then killed (SIGKILL): the analyzer starts a new
 * process, sends the unanswered lines again and the request succeeds with the same analysis.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../src/core/config.ts';
import { getKoreanAnalyzer, type KoreanAnalyzer } from '../../src/nlp/index.ts';
import { createService, type Service } from '../../src/server/index.ts';
import { sleep } from './helpers.ts';

type MecabHandle = KoreanAnalyzer & { pid?: number; restartCount?: number };

const REVIEW = '배우들 연기가 정말 좋았어요';
// The shipped models by default; MODELS_DIR runs the test against another set.
const MODELS_DIR = process.env.MODELS_DIR ?? path.join(PROJECT_ROOT, 'data/models');
const hasKoreanModel = existsSync(path.join(MODELS_DIR, 'sentiment-ko', 'CURRENT'));

/** Stops MeCab, runs `request` so that it waits on the stopped process, then kills MeCab. */
async function killDuring<T>(analyzer: MecabHandle, request: () => T | Promise<T>): Promise<T> {
  const pid = analyzer.pid as number;
  process.kill(pid, 'SIGSTOP');
  const pending = Promise.resolve(request());
  await sleep(150);
  process.kill(pid, 'SIGKILL');
  return pending;
}

let analyzer: MecabHandle;
let engine: string;

beforeAll(async () => {
  analyzer = (await getKoreanAnalyzer()) as MecabHandle;
  engine = analyzer.engine;
});

describe('MeCab killed during a request', () => {
  it('restarts MeCab and finishes the analysis', async (context) => {
    if (engine !== 'mecab') context.skip(`MeCab is not running here (${analyzer.reason})`);
    const expected = (await analyzer.analyze(REVIEW)).map((m) => `${m.surface}/${m.pos}`);
    const pid = analyzer.pid;
    const restarts = analyzer.restartCount ?? 0;
    const morphemes = await killDuring(analyzer, () => analyzer.analyzeMany([REVIEW, REVIEW]));
    expect(morphemes.map((list) => list.map((m) => `${m.surface}/${m.pos}`))).toEqual([
      expected,
      expected,
    ]);
    expect(analyzer.restartCount).toBe(restarts + 1);
    expect(analyzer.pid).not.toBe(pid);
  });
});

describe.skipIf(!hasKoreanModel)(
  `MeCab killed during POST /api/sentiment${hasKoreanModel ? '' : ' (skipped: no shipped sentiment-ko)'}`,
  () => {
    let dataDir: string;
    let service: Service;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-mecab-kill-'));
      const config = loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
        MODELS_DIR,
        TF_BACKEND: 'wasm',
      });
      service = await createService({ config, web: false });
    });
    afterAll(async () => {
      await service?.jobs.shutdown();
      service?.host.close();
      service?.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('answers the request after MeCab restarts', async (context) => {
      if (engine !== 'mecab') context.skip(`MeCab is not running here (${analyzer.reason})`);
      const send = () =>
        service.app.request('/api/sentiment', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text: REVIEW, lang: 'ko' }),
        });
      const before = (await (await send()).json()) as { tokens: string[]; label: string };
      const response = await killDuring(analyzer, send);
      expect(response.status).toBe(200);
      const after = (await response.json()) as { tokens: string[]; label: string };
      expect(after.tokens).toEqual(before.tokens);
      expect(after.label).toBe(before.label);
    });
  },
);
