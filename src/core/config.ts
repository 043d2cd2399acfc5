/**
 * @module The module that reads and validates the environment; only the logger also reads
 * LOG_LEVEL, because it starts before validation. `loadConfig` validates every variable once at
 * startup and names the offending variable and its expected form when one is invalid.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NunchiError } from './errors.ts';

/** Absolute path of the repository root, resolved from this file's location. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const TF_BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: 'custom', message: `an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer(0, 65535, 3000),
  DATA_DIR: z.string().min(1).default('var'),
  MODELS_DIR: z.string().min(1).default('data/models'),
  NSMC_DIR: z.string().min(1).default('../shared/data/nsmc'),
  MNIST_DIR: z.string().min(1).default('../shared/data/mnist'),
  TF_BACKEND: z.enum(TF_BACKENDS).default('auto'),
  MECAB_BIN: optionalString,
  MECAB_DIC_DIR: optionalString,
  MAX_TEXT_CHARS: integer(100, 100_000, 5000),
  ADMIN_TOKEN: optionalString.refine((value) => value === undefined || value.length >= 16, {
    message: 'at least 16 characters (for example the output of `openssl rand -hex 32`)',
  }),
  RATE_LIMIT_PER_MINUTE: integer(1, 100_000, 120),
  DISCORD_TOKEN: optionalString,
  DISCORD_GUILD_ID: optionalString.refine(
    (value) => value === undefined || /^\d{5,25}$/.test(value),
    {
      message: 'a numeric Discord guild id (snowflake)',
    },
  ),
  DISCORD_API_BASE: z.string().url().default('https://discord.com/api'),
  SHARD_COUNT: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '' || value === 'auto') return 'auto' as const;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 1 || parsed > 1000) {
        context.addIssue({ code: 'custom', message: '"auto" or an integer from 1 to 1000' });
        return z.NEVER;
      }
      return parsed;
    }),
  BOT_COOLDOWN_SECONDS: integer(0, 3600, 3),
});

type RawConfig = z.infer<typeof schema>;

const SECRET_VARIABLES = new Set(['ADMIN_TOKEN', 'DISCORD_TOKEN']);

/** Validated configuration with every path made absolute. */
export interface Config extends Readonly<RawConfig> {
  readonly dataDir: string;
  readonly modelsDir: string;
  readonly nsmcDir: string;
  readonly mnistDir: string;
}

/**
 * Validates `env` and returns the typed configuration. Relative paths resolve against the project
 * root, so the result does not depend on the working directory.
 *
 * @throws NunchiError CONFIG_INVALID naming each invalid variable and its expected form.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const expected =
        issue.code === 'invalid_value'
          ? `one of ${issue.values.map(String).join(', ')}`
          : issue.code === 'invalid_format' && issue.format === 'url'
            ? 'a URL such as https://discord.com/api'
            : issue.message;
      // Secrets are never echoed; other values are, so the user sees what was read.
      const value = env[variable];
      const received =
        SECRET_VARIABLES.has(variable) || value === undefined ? '' : ` (got "${value}")`;
      return `${variable}: expected ${expected}${received}`;
    });
    throw new NunchiError('CONFIG_INVALID', `Invalid configuration. ${problems.join('; ')}`, {
      variables: result.error.issues.map((issue) => String(issue.path[0])),
    });
  }
  const raw = result.data;
  const resolve = (value: string) => path.resolve(PROJECT_ROOT, value);
  return Object.freeze({
    ...raw,
    dataDir: resolve(raw.DATA_DIR),
    modelsDir: resolve(raw.MODELS_DIR),
    nsmcDir: resolve(raw.NSMC_DIR),
    mnistDir: resolve(raw.MNIST_DIR),
  });
}

let cached: Config | undefined;

/** Returns the process-wide configuration, validating the environment on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
