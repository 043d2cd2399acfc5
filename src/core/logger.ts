/**
 * @module One levelled logger (pino) with a child per subsystem. Secrets are redacted by key, and
 * any known secret value is masked wherever it appears in a message.
 */
import pino, { type Logger } from 'pino';

export type Subsystem = 'main' | 'bot' | 'nlp' | 'train' | 'http' | 'vision' | 'tf' | 'cli';

const REDACTED_KEYS = [
  'token',
  'password',
  'secret',
  'authorization',
  'ADMIN_TOKEN',
  'DISCORD_TOKEN',
  '*.token',
  '*.authorization',
  '*.ADMIN_TOKEN',
  '*.DISCORD_TOKEN',
  'headers.authorization',
  'req.headers.authorization',
];

const secretValues = new Set<string>();

/** Registers a secret so that its value is masked in every later log line, even inside text. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) secretValues.add(value);
}

/** Replaces each registered secret inside `text` with `[REDACTED]`. */
export function maskSecrets(text: string): string {
  let masked = text;
  for (const secret of secretValues) masked = masked.split(secret).join('[REDACTED]');
  return masked;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
let defaultLevel = 'info';

/** Sets the level used when LOG_LEVEL is unset; the CLI lowers it to 'warn' to keep output clean. */
export function setDefaultLogLevel(level: 'info' | 'warn'): void {
  defaultLevel = level;
}

function createRoot(): Logger {
  // The logger exists before the configuration is validated, so it reads LOG_LEVEL itself and
  // falls back to the default on an invalid value; loadConfig then rejects that value by name.
  const requested = process.env.LOG_LEVEL;
  const fallback = process.env.NODE_ENV === 'test' ? 'silent' : defaultLevel;
  const level = requested && LEVELS.has(requested) ? requested : fallback;
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_KEYS, censor: '[REDACTED]' },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === 'string' ? maskSecrets(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
      formatters: {
        log(object) {
          return JSON.parse(maskSecrets(JSON.stringify(object))) as Record<string, unknown>;
        },
      },
      // Logs go to stderr so that CLI commands keep stdout for their JSON output.
    },
    pino.destination(2),
  );
}

let root: Logger | undefined;

/** Returns the logger of one subsystem; every line carries `subsystem`. */
export function getLogger(subsystem: Subsystem): Logger {
  root ??= createRoot();
  return root.child({ subsystem });
}
