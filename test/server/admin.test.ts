import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/store/index.ts';
import { writeFakeVersion } from './fixtures/fake-models.ts';
import {
  ADMIN_TOKEN,
  authHeader,
  createTestService,
  SHIPPED_ACCURACY,
  type TestService,
} from './fixtures/service.ts';

const json = (body: unknown, headers: Record<string, string> = authHeader) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function waitForJob(service: TestService, id: string, states: Job['state'][]): Promise<Job> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await service.app.request(`/admin/jobs/${id}`, { headers: authHeader });
    const job = (await response.json()) as Job;
    if (states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('admin auth', () => {
  let service: TestService;
  beforeEach(async () => {
    service = await createTestService();
  });
  afterEach(async () => {
    await service.cleanup();
  });

  const wrongSameLength = ADMIN_TOKEN.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
  it.each([
    ['no header', 401, undefined],
    ['wrong token of equal length', 401, `Bearer ${wrongSameLength}`],
    ['wrong token of other length', 401, 'Bearer short'],
    [
      'Basic scheme with the token',
      401,
      `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
    ],
    ['Basic scheme carrying the raw token', 401, `Basic ${ADMIN_TOKEN}`],
    ['empty Bearer', 401, 'Bearer '],
    ['two spaces after Bearer', 401, `Bearer  ${ADMIN_TOKEN}`],
    ['token followed by more text', 401, `Bearer ${ADMIN_TOKEN} extra`],
    ['lowercase bearer with a wrong token', 401, 'bearer nope-nope-nope-nope'],
    // RFC 7235 makes the scheme name case-insensitive.
    ['lowercase bearer with the token', 200, `bearer ${ADMIN_TOKEN}`],
    // Header values lose trailing whitespace in the Fetch Headers class, as on the wire.
    ['trailing space after the token', 200, `Bearer ${ADMIN_TOKEN} `],
    ['correct token', 200, `Bearer ${ADMIN_TOKEN}`],
  ])('%s answers %i', async (_case, status, header) => {
    const headers: Record<string, string> =
      header === undefined ? {} : { Authorization: String(header) };
    const response = await service.app.request('/admin/jobs', { headers });
    expect(response.status).toBe(status);
    if (status === 401) {
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe('UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('answers 503 on every admin route without ADMIN_TOKEN', async () => {
    const disabled = await createTestService({ adminToken: null });
    try {
      for (const [method, path] of [
        ['GET', '/admin/jobs'],
        ['GET', '/admin/models'],
        ['GET', '/admin/status'],
        ['POST', '/admin/retrain'],
        ['POST', '/admin/models/digits-mlp/rollback'],
      ]) {
        const response = await disabled.app.request(path, { method, headers: authHeader });
        expect(response.status).toBe(503);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('ADMIN_DISABLED');
        expect(body.error.message).toContain('admin API disabled');
      }
    } finally {
      await disabled.cleanup();
    }
  });
});

describe('retraining', () => {
  let service: TestService;
  beforeEach(async () => {
    service = await createTestService();
  });
  afterEach(async () => {
    await service.cleanup();
  });

  it('promotes a retrained version that scores better', async () => {
    const response = await service.app.request(
      '/admin/retrain',
      json({ model: 'sentiment-en', epochs: 10 }),
    );
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const job = await waitForJob(service, jobId, ['succeeded', 'failed']);
    expect(job.error).toBeUndefined();
    expect(job.state).toBe('succeeded');
    expect(job.result?.promoted).toBe(true);
    expect(job.result?.metrics.accuracy).toBeCloseTo(0.9);
    const version = job.result?.version as string;

    const models = (await (
      await service.app.request('/admin/models', { headers: authHeader })
    ).json()) as {
      models: {
        name: string;
        serving: string;
        versions: { version: string; status: string; source: string }[];
      }[];
    };
    const entry = models.models.find((model) => model.name === 'sentiment-en');
    expect(entry?.serving).toBe(version);
    expect(entry?.versions.find((v) => v.version === version)?.source).toBe('trained');
    expect(entry?.versions.find((v) => v.version === 'v1')?.status).toBe('previous');

    const answer = await service.app.request(
      '/api/sentiment',
      json({ text: 'good film', lang: 'en' }, {}),
    );
    expect(((await answer.json()) as { modelVersion: string }).modelVersion).toBe(version);
    expect(service.runtime.disposed).toContain('sentiment-en@v1');
  });

  it('keeps a worse version as a candidate until promoted', async () => {
    const response = await service.app.request(
      '/admin/retrain',
      json({ model: 'digits-mlp', epochs: 1 }),
    );
    const { jobId } = (await response.json()) as { jobId: string };
    const job = await waitForJob(service, jobId, ['succeeded', 'failed']);
    expect(job.state).toBe('succeeded');
    expect(job.result?.promoted).toBe(false);
    expect(job.result?.reason).toContain('more than 0.5 points below');
    expect(job.result?.metrics.accuracy).toBeLessThan(SHIPPED_ACCURACY - 0.005);
    expect(service.host.loadedVersion('digits-mlp')).toBe('v1');

    const version = job.result?.version as string;
    const promote = await service.app.request(
      `/admin/models/digits-mlp/promote`,
      json({ version }),
    );
    expect(promote.status).toBe(200);
    expect(service.host.loadedVersion('digits-mlp')).toBe(version);

    const rollback = await service.app.request('/admin/models/digits-mlp/rollback', {
      method: 'POST',
      headers: authHeader,
    });
    expect(rollback.status).toBe(200);
    expect(((await rollback.json()) as { serving: string }).serving).toBe('v1');
    expect(service.host.loadedVersion('digits-mlp')).toBe('v1');
  });

  it('answers 409 with the running job id on a second retrain', async () => {
    const first = await service.app.request(
      '/admin/retrain',
      json({ model: 'digits-mlp', epochs: 100 }),
    );
    const { jobId } = (await first.json()) as { jobId: string };
    const second = await service.app.request('/admin/retrain', json({ model: 'digits-mlp' }));
    expect(second.status).toBe(409);
    const body = (await second.json()) as { jobId: string; error: { code: string } };
    expect(body.error.code).toBe('JOB_CONFLICT');
    expect(body.jobId).toBe(jobId);

    await waitForJob(service, jobId, ['running']);
    const cancel = await service.app.request(`/admin/jobs/${jobId}/cancel`, {
      method: 'POST',
      headers: authHeader,
    });
    expect(cancel.status).toBe(202);
    const cancelled = await waitForJob(service, jobId, ['cancelled', 'failed', 'succeeded']);
    expect(cancelled.state).toBe('cancelled');
    expect(service.host.loadedVersion('digits-mlp')).toBe('v1');
  });

  it('streams progress and the final state over SSE', async () => {
    const response = await service.app.request(
      '/admin/retrain',
      json({ model: 'sentiment-ko', epochs: 3 }),
    );
    const { jobId } = (await response.json()) as { jobId: string };
    const events = await service.app.request(`/admin/jobs/${jobId}/events`, {
      headers: authHeader,
    });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const text = await events.text();
    expect(text).toContain('event: progress');
    const states = [...text.matchAll(/event: state\ndata: (.*)\n/g)].map(
      (match) => (JSON.parse(match[1]) as Job).state,
    );
    expect(states.at(-1)).toBe('succeeded');
    expect(states).toContain('running');
  });

  it('keeps the old model when a promoted version fails to load', async () => {
    await writeFakeVersion(`${service.config.dataDir}/models`, 'digits-mlp', 'v9', {
      accuracy: 0.99,
      broken: true,
    });
    const response = await service.app.request(
      '/admin/models/digits-mlp/promote',
      json({ version: 'v9' }),
    );
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'MODEL_INVALID',
    );
    expect(service.host.loadedVersion('digits-mlp')).toBe('v1');
    expect((await service.registry.serving('digits-mlp'))?.version).toBe('v1');
  });

  it('rejects a path-like version and an unknown model', async () => {
    const traversal = await service.app.request(
      '/admin/models/digits-mlp/promote',
      json({ version: '../x' }),
    );
    expect(traversal.status).toBe(400);
    const unknown = await service.app.request('/admin/models/nope/rollback', {
      method: 'POST',
      headers: authHeader,
    });
    expect(unknown.status).toBe(404);
  });

  it('rejects a retrain body with the field named', async () => {
    const response = await service.app.request(
      '/admin/retrain',
      json({ model: 'digits-mlp', epochs: 'ten' }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain('epochs');
  });

  it('trains on an uploaded data set and feedback', async () => {
    const csv = 'text,label\ngood movie,1\nbad movie,0\n,1\ngreat,positive\n';
    const upload = await service.app.request('/admin/datasets', {
      method: 'POST',
      headers: { ...authHeader, 'Content-Type': 'text/csv' },
      body: csv,
    });
    expect(upload.status).toBe(201);
    const dataset = (await upload.json()) as Record<string, unknown>;
    expect(dataset.format).toBe('csv');
    expect(dataset.totalRows).toBe(4);
    expect(dataset.acceptedRows).toBe(3);
    expect(dataset.skippedLines).toEqual([4]);
    expect(dataset.sha256).toMatch(/^[0-9a-f]{64}$/);

    service.store.recordFeedback({
      text: 'fine',
      predictedLabel: 'negative',
      correctLabel: 'positive',
      modelName: 'sentiment-en',
      modelVersion: 'v1',
      source: 'web',
    });
    const response = await service.app.request(
      '/admin/retrain',
      json({ model: 'sentiment-en', dataset: dataset.id, includeFeedback: true }),
    );
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const job = await waitForJob(service, jobId, ['succeeded', 'failed']);
    expect(job.state).toBe('succeeded');
    const dir = service.registry.versionDir(
      'sentiment-en',
      job.result?.version as string,
    ) as string;
    const { readFakeWeights } = await import('./fixtures/fake-models.ts');
    expect(readFakeWeights(dir).extraExamples).toBe(4);
  });

  it('accepts a multipart data set and stores duplicates once', async () => {
    const form = new FormData();
    form.append(
      'file',
      new File(['{"text":"좋아요","label":1}\n{"text":"싫어요","label":0}\n'], 'reviews.jsonl'),
    );
    const first = await service.app.request('/admin/datasets', {
      method: 'POST',
      headers: authHeader,
      body: form,
    });
    expect(first.status).toBe(201);
    const again = new FormData();
    again.append(
      'file',
      new File(['{"text":"좋아요","label":1}\n{"text":"싫어요","label":0}\n'], 'copy.jsonl'),
    );
    const second = await service.app.request('/admin/datasets', {
      method: 'POST',
      headers: authHeader,
      body: again,
    });
    expect(second.status).toBe(200);
    const a = (await first.json()) as { id: string; format: string };
    const b = (await second.json()) as { id: string };
    expect(a.format).toBe('jsonl');
    expect(b.id).toBe(a.id);
  });

  it('rejects a data set of an unknown type or without usable rows', async () => {
    const typeless = await service.app.request('/admin/datasets', {
      method: 'POST',
      headers: { ...authHeader, 'Content-Type': 'application/pdf' },
      body: 'text,label\na,1\n',
    });
    expect(typeless.status).toBe(400);
    const empty = await service.app.request('/admin/datasets', {
      method: 'POST',
      headers: { ...authHeader, 'Content-Type': 'text/csv' },
      body: 'text,label\nx,maybe\ny,unknown\n',
    });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe(
      'DATASET_INVALID',
    );
  });

  it('reports backend, models and queue in status', async () => {
    const response = await service.app.request('/admin/status', { headers: authHeader });
    const status = (await response.json()) as {
      models: { name: string; version: string; accuracy: number }[];
      jobs: { running: unknown; queued: unknown[] };
      gpu: boolean;
    };
    expect(status.models.map((model) => model.name).sort()).toEqual([
      'digits-mlp',
      'sentiment-en',
      'sentiment-ko',
    ]);
    expect(status.models[0].accuracy).toBe(SHIPPED_ACCURACY);
    expect(status.jobs.running).toBeNull();
    expect(status.gpu).toBe(false);
  });

  it('records admin actions in the audit trail', async () => {
    await service.app.request('/admin/retrain', json({ model: 'digits-mlp', epochs: 1 }));
    await service.app.request('/admin/retrain', json({ model: 'digits-mlp', epochs: 1 }));
    const actions = service.store.listAudit().map((entry) => `${entry.action}:${entry.outcome}`);
    expect(actions).toContain('retrain:accepted');
    expect(actions).toContain('retrain:JOB_CONFLICT');
    expect(service.store.listAudit()[0].actor).toMatch(/^admin:[0-9a-f]{8}$/);
  });
});
