/**
 * @module Assembles the service (store, registry, model host, job queue, HTTP app) and serves it
 * with @hono/node-server. `createApp` is re-exported for mounting the API elsewhere and for tests.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { getConfig, type Config } from '../core/config.ts';
import { NunchiError } from '../core/errors.ts';
import { getLogger } from '../core/logger.ts';
import { initTf } from '../core/tf.ts';
import { ModelHost } from '../models/host.ts';
import { ModelRegistry } from '../models/registry.ts';
import { createDefaultRuntime, type ModelRuntime } from '../models/runtime.ts';
import { openStore, type Store } from '../store/index.ts';
import { createWebRoutes } from '../web/routes.ts';
import { createApp } from './app.ts';
import { JobManager, type JobHooks } from './jobs.ts';

export { createApp, type AppDeps } from './app.ts';

/** How long a graceful shutdown waits for requests in flight before closing their sockets, in ms. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ServiceOptions {
  config?: Config;
  /** Model loaders and inference; the real sentiment and digit packages by default. */
  runtime?: ModelRuntime;
  /** Module exporting `getTrainer(name)` for training jobs; the real trainer table by default. */
  trainerModule?: string;
  hooks?: JobHooks;
  /** Initialise TensorFlow.js before loading models (default true); fakes need none. */
  initBackend?: boolean;
  /** Mount the web pages (default true). */
  web?: boolean;
}

export interface Service {
  app: Hono;
  config: Config;
  store: Store;
  registry: ModelRegistry;
  host: ModelHost;
  jobs: JobManager;
}

/**
 * Builds the service: opens the store, recovers jobs a crash left behind (undoing an unconfirmed
 * promotion), loads the serving models and creates the app.
 */
export async function createService(options: ServiceOptions = {}): Promise<Service> {
  const config = options.config ?? getConfig();
  const log = getLogger('http');
  if (options.initBackend ?? true) await initTf(config.TF_BACKEND);
  const store = openStore(config.dataDir);
  const registry = new ModelRegistry({ modelsDir: config.modelsDir, dataDir: config.dataDir });
  const host = new ModelHost({ registry, runtime: options.runtime ?? createDefaultRuntime() });
  const jobs = new JobManager({
    store,
    registry,
    host,
    trainerModule: options.trainerModule,
    tfBackend: options.trainerModule ? undefined : config.TF_BACKEND,
    hooks: options.hooks,
  });
  await jobs.recover();
  const loaded = await host.start();
  log.info({ models: loaded }, 'models loaded');
  const web = (options.web ?? true) ? createWebRoutes() : undefined;
  const app = createApp({ config, host, registry, store, jobs, web });
  return { app, config, store, registry, host, jobs };
}

export interface RunningServer {
  service: Service;
  server: ServerType;
  /** Base URL, such as http://127.0.0.1:3000. */
  url: string;
  port: number;
  /** Stops accepting, interrupts the running job, waits for requests in flight, frees models. */
  close(): Promise<void>;
}

/** Creates the service and listens on HOST:PORT (port 0 picks a free port). */
export async function startServer(
  options: ServiceOptions & { port?: number; hostname?: string } = {},
): Promise<RunningServer> {
  const service = await createService(options);
  const log = getLogger('http');
  const hostname = options.hostname ?? service.config.HOST;
  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const instance = serve(
        { fetch: service.app.fetch, port: options.port ?? service.config.PORT, hostname },
        () => resolve(instance),
      );
      instance.once('error', reject);
    });
  } catch (error) {
    await service.jobs.shutdown();
    service.host.close();
    service.store.close();
    throw new NunchiError(
      'CONFIG_INVALID',
      `Cannot listen on ${hostname}:${options.port ?? service.config.PORT}: ${(error as Error).message}. Set PORT or HOST to a free address.`,
      { hostname },
      { cause: error },
    );
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
  log.info({ url }, 'HTTP service listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await service.jobs.shutdown();
      const http = server as ServerType & {
        closeIdleConnections?: () => void;
        closeAllConnections?: () => void;
      };
      http.closeIdleConnections?.();
      const timer = setTimeout(() => http.closeAllConnections?.(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(timer);
      service.host.close();
      service.store.close();
      log.info('HTTP service stopped');
    })();
    return closing;
  };
  return { service, server, url, port, close };
}
