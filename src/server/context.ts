/** @module What the route modules share: the dependencies of one app instance. */
import type { Config } from '../core/config.ts';
import type { Classifier } from '../core/contracts.ts';
import type { BackendInfo } from '../core/tf.ts';
import type { ModelHost } from '../models/host.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { Store } from '../store/index.ts';
import type { JobManager } from './jobs.ts';

/** The configuration values the HTTP app reads. */
export type AppConfig = Pick<
  Config,
  'ADMIN_TOKEN' | 'RATE_LIMIT_PER_MINUTE' | 'MAX_TEXT_CHARS' | 'dataDir'
>;

export interface AppContext {
  config: AppConfig;
  /** Classifier behind /api/sentiment and /api/digit; by default the model host. */
  classifier: Classifier;
  host: ModelHost;
  registry: ModelRegistry;
  store: Store;
  jobs: JobManager;
  backend(): BackendInfo | undefined;
  renderMetrics(): string;
}
