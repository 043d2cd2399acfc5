/**
 * @module Admin routes: retraining jobs with live progress, data set uploads, the model registry
 * (list, promote, rollback) and the service status. The caller mounts them behind adminAuth.
 */
import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import { MODEL_NAMES } from '../../core/contracts.ts';
import { isNunchiError, NunchiError } from '../../core/errors.ts';
import { assertModelName, assertVersionId } from '../../models/registry.ts';
import { FINAL_JOB_STATES, type Job } from '../../store/index.ts';
import { readJson } from '../body.ts';
import type { AppContext } from '../context.ts';
import { saveUploadedDataset } from '../datasets.ts';
import type { JobEvent } from '../jobs.ts';

/** Interval of SSE comment lines that keep idle proxies from closing the stream, in ms. */
const SSE_KEEPALIVE_MS = 15_000;

const retrainRequest = z.object({
  model: z.enum(MODEL_NAMES as [string, ...string[]]),
  epochs: z.number().int().min(1).max(1000).optional(),
  dataset: z.string().min(1).max(100).optional(),
  includeFeedback: z.boolean().optional(),
  limit: z.number().int().min(1).max(10_000_000).optional(),
});

const promoteRequest = z.object({ version: z.string().min(1).max(100) });

const actorOf = (c: Context) => (c.get('actor' as never) as string | undefined) ?? 'admin';

function requireJob(context: AppContext, id: string): Job {
  const job = context.jobs.get(id);
  if (!job) throw new NunchiError('NOT_FOUND', `No job with id "${id}"`, { id });
  return job;
}

async function streamJobEvents(context: AppContext, id: string, stream: SSEStreamingApi) {
  let chain = Promise.resolve();
  const write = (event: string, data: unknown) => {
    chain = chain.then(() => stream.writeSSE({ event, data: JSON.stringify(data) }));
  };
  const job = requireJob(context, id);
  write('state', job);
  if (FINAL_JOB_STATES.includes(job.state)) return chain;
  if (job.progress) write('progress', job.progress);
  await new Promise<void>((resolve) => {
    const keepalive = setInterval(() => {
      chain = chain.then(() => stream.write(': keepalive\n\n').then(() => undefined));
    }, SSE_KEEPALIVE_MS);
    const stop = () => {
      clearInterval(keepalive);
      unsubscribe();
      resolve();
    };
    const unsubscribe = context.jobs.subscribe(id, (event: JobEvent) => {
      if (event.type === 'progress') return write('progress', event.progress);
      write('state', event.job);
      if (FINAL_JOB_STATES.includes(event.job.state)) stop();
    });
    stream.onAbort(stop);
  });
  return chain;
}

export function createAdminRoutes(context: AppContext): Hono {
  const { store, registry, host, jobs } = context;
  const app = new Hono();

  app.post('/admin/retrain', async (c) => {
    const body = await readJson(c, retrainRequest);
    const { model, ...request } = body;
    assertModelName(model);
    const actor = actorOf(c);
    try {
      const job = jobs.submit(model, request, actor);
      store.audit({
        actor,
        action: 'retrain',
        target: model,
        outcome: 'accepted',
        details: { jobId: job.id, ...request },
      });
      return c.json({ jobId: job.id, job }, 202);
    } catch (error) {
      const outcome = isNunchiError(error) ? error.code : 'INTERNAL';
      store.audit({ actor, action: 'retrain', target: model, outcome, details: request });
      throw error;
    }
  });

  app.post('/admin/datasets', async (c) => {
    const { record, created } = await saveUploadedDataset(c, context, actorOf(c));
    store.audit({
      actor: actorOf(c),
      action: 'dataset.upload',
      target: record.id,
      outcome: created ? 'stored' : 'duplicate',
      details: { sha256: record.sha256, acceptedRows: record.acceptedRows },
    });
    const { id, sha256, format, totalRows, acceptedRows, skippedLines } = record;
    return c.json(
      { id, sha256, format, totalRows, acceptedRows, skippedLines },
      created ? 201 : 200,
    );
  });

  app.get('/admin/datasets', (c) => c.json({ datasets: store.listDatasets() }));

  app.get('/admin/jobs', (c) => c.json({ jobs: jobs.list() }));

  app.get('/admin/jobs/:id', (c) => c.json(requireJob(context, c.req.param('id'))));

  app.get('/admin/jobs/:id/events', (c) => {
    const id = c.req.param('id');
    requireJob(context, id);
    return streamSSE(c, (stream) => streamJobEvents(context, id, stream));
  });

  app.post('/admin/jobs/:id/cancel', (c) => {
    const job = jobs.cancel(c.req.param('id'));
    store.audit({ actor: actorOf(c), action: 'job.cancel', target: job.id, outcome: job.state });
    return c.json(job, 202);
  });

  app.get('/admin/models', async (c) => {
    const models = await registry.listModels();
    return c.json({
      models: models.map((model) => ({
        name: model.name,
        serving: model.serving ?? null,
        versions: model.versions.map(({ dir: _dir, ...version }) => version),
      })),
    });
  });

  app.post('/admin/models/:name/promote', async (c) => {
    const name = c.req.param('name');
    assertModelName(name);
    const { version } = await readJson(c, promoteRequest);
    assertVersionId(version);
    const actor = actorOf(c);
    const { previous } = await registry.setServing(name, version);
    try {
      await host.reload(name);
    } catch (error) {
      if (previous && previous !== version) await registry.rollback(name);
      store.audit({
        actor,
        action: 'promote',
        target: `${name}@${version}`,
        outcome: 'load-failed',
      });
      throw new NunchiError(
        'MODEL_INVALID',
        `Version ${version} of ${name} failed to load, so ${previous ?? 'nothing'} keeps serving: ${(error as Error).message}`,
        { name, version },
        { cause: error },
      );
    }
    store.audit({
      actor,
      action: 'promote',
      target: `${name}@${version}`,
      outcome: 'serving',
      details: { previous },
    });
    return c.json({ name, serving: version, previous: previous ?? null });
  });

  app.post('/admin/models/:name/rollback', async (c) => {
    const name = c.req.param('name');
    assertModelName(name);
    const actor = actorOf(c);
    const { from, to } = await registry.rollback(name);
    try {
      await host.reload(name);
    } catch (error) {
      await registry.setServing(name, from);
      store.audit({ actor, action: 'rollback', target: `${name}@${to}`, outcome: 'load-failed' });
      throw new NunchiError(
        'MODEL_INVALID',
        `Version ${to} of ${name} failed to load, so ${from} keeps serving: ${(error as Error).message}`,
        { name, version: to },
        { cause: error },
      );
    }
    store.audit({
      actor,
      action: 'rollback',
      target: `${name}@${to}`,
      outcome: 'serving',
      details: { from },
    });
    return c.json({ name, serving: to, previous: from });
  });

  app.get('/admin/status', async (c) => {
    const models = host.describeModels();
    const queue = jobs.queueState();
    return c.json({
      backend: context.backend() ?? null,
      gpu: context.backend()?.gpu ?? false,
      models,
      jobs: {
        running: queue.running ? (jobs.get(queue.running) ?? null) : null,
        queued: queue.queued.map((id) => jobs.get(id)).filter(Boolean),
      },
    });
  });

  app.get('/admin/audit', (c) => c.json({ entries: store.listAudit(200) }));

  return app;
}
