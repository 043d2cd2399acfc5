/**
 * @module The Hono app: public prediction routes, the admin API behind a Bearer token, request
 * metrics, per-client rate limits and one error handler. `createApp` builds it from its
 * dependencies, so tests drive it with `app.request()` and fakes.
 */
import * as tf from '@tensorflow/tfjs';
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import { MODEL_NAMES, type Classifier } from '../core/contracts.ts';
import { getLogger } from '../core/logger.ts';
import { backendInfo, type BackendInfo } from '../core/tf.ts';
import type { ModelHost } from '../models/host.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { Store } from '../store/index.ts';
import { adminAuth } from './auth.ts';
import type { AppConfig, AppContext } from './context.ts';
import { createErrorHandler } from './errors.ts';
import type { JobManager } from './jobs.ts';
import { HttpMetrics, type GaugeSample } from './metrics.ts';
import { createRateLimiter } from './rate-limit.ts';
import { createAdminRoutes } from './routes/admin.ts';
import { createPublicRoutes } from './routes/public.ts';

export interface AppDeps {
  config: AppConfig;
  host: ModelHost;
  registry: ModelRegistry;
  store: Store;
  jobs: JobManager;
  /** Classifier behind the prediction routes; defaults to `host`. */
  classifier?: Classifier;
  /** Routes of the web pages, mounted before the admin API so `GET /admin` serves the page. */
  web?: Hono;
  /** Key that the rate limit counts by; defaults to the client's socket address. */
  clientKey?: (c: Context) => string;
  /** Live tensor count for /metrics; defaults to tf.memory() once a backend is initialised. */
  liveTensors?: () => number | undefined;
  backend?: () => BackendInfo | undefined;
  logger?: Logger;
}

function defaultLiveTensors(): number | undefined {
  return backendInfo() ? tf.memory().numTensors : undefined;
}

function collectGauges(deps: AppDeps, classifier: Classifier): GaugeSample[] {
  const models = classifier.describeModels();
  const jobStates = new Map<string, number>();
  for (const job of deps.store.listJobs(10_000)) {
    jobStates.set(job.state, (jobStates.get(job.state) ?? 0) + 1);
  }
  const memory = process.memoryUsage();
  const gauges: GaugeSample[] = [
    {
      name: 'nunchi_model_info',
      help: 'Model versions loaded for serving (value 1).',
      samples: models.map((model) => ({
        labels: { model: model.name, version: model.version },
        value: 1,
      })),
    },
    {
      name: 'nunchi_model_accuracy',
      help: 'Held-out accuracy of each serving version, from 0 to 1.',
      samples: models
        .filter((model) => model.accuracy !== undefined)
        .map((model) => ({
          labels: { model: model.name, version: model.version },
          value: model.accuracy as number,
        })),
    },
    {
      name: 'nunchi_training_jobs',
      help: 'Retraining jobs in the store, by state.',
      samples: [...jobStates].map(([state, value]) => ({ labels: { state }, value })),
    },
    {
      name: 'nunchi_training_job_running',
      help: '1 while a retraining job runs, else 0.',
      samples: [{ value: deps.jobs.queueState().running ? 1 : 0 }],
    },
    {
      name: 'nunchi_process_resident_memory_bytes',
      help: 'Resident set size of the serving process, in bytes.',
      samples: [{ value: memory.rss }],
    },
  ];
  const tensors = (deps.liveTensors ?? defaultLiveTensors)();
  if (tensors !== undefined) {
    gauges.push({
      name: 'nunchi_tf_live_tensors',
      help: 'Tensors alive in the serving process; a steady rise means a leak.',
      samples: [{ value: tensors }],
    });
  }
  return gauges;
}

/** Builds the HTTP app over `deps`. */
export function createApp(deps: AppDeps): Hono {
  const log = deps.logger ?? getLogger('http');
  const classifier = deps.classifier ?? deps.host;
  const metrics = new HttpMetrics();
  const context: AppContext = {
    config: deps.config,
    classifier,
    host: deps.host,
    registry: deps.registry,
    store: deps.store,
    jobs: deps.jobs,
    backend: deps.backend ?? backendInfo,
    renderMetrics: () => metrics.render(collectGauges(deps, classifier)),
  };
  const limiter = createRateLimiter(deps.config.RATE_LIMIT_PER_MINUTE, deps.clientKey);
  const app = new Hono();

  app.onError(createErrorHandler(log));
  // Returned rather than thrown, so the metrics middleware still records the request.
  app.notFound((c) =>
    c.json(
      { error: { code: 'NOT_FOUND', message: `No route matches ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    // Only the catch-all middleware matched an unknown path; one label keeps cardinality bounded.
    const matched = routePath(c);
    const route = c.res.status === 404 && matched === '/*' ? 'unmatched' : matched;
    metrics.observe(c.req.method, route, c.res.status, seconds);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, seconds }, 'request');
  });
  app.use('/api/*', limiter.middleware('api'));

  if (deps.web) app.route('/', deps.web);

  app.use('/admin/*', limiter.middleware('admin'), adminAuth(deps.config.ADMIN_TOKEN));
  app.route('/', createAdminRoutes(context));
  app.route('/', createPublicRoutes(context));
  log.debug({ models: MODEL_NAMES }, 'HTTP routes ready');
  return app;
}
