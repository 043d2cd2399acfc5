/**
 * A short soak: SOAK_REQUESTS mixed requests (default 600) over HTTP and the fake Discord gateway
 * after a warm-up of 400. Every request gets its expected answer or rejection, live tensors end
 * within 5% of where they started and RSS grows by at most 5%. `npx tsx scripts/soak.ts` runs the
 * full 10,000.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import { runSoak } from './run-soak.ts';

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 600);
// The shipped models by default; MODELS_DIR runs the soak against another set.
const MODELS_DIR = process.env.MODELS_DIR ?? path.join(PROJECT_ROOT, 'data/models');
const hasModels =
  existsSync(MODELS_DIR) &&
  readdirSync(MODELS_DIR).some((name) => existsSync(path.join(MODELS_DIR, name, 'CURRENT')));

describe.skipIf(!hasModels)(
  `soak over HTTP and Discord${hasModels ? '' : ' (skipped: no shipped model in data/models)'}`,
  () => {
    it(`${REQUESTS} mixed requests keep memory flat`, { timeout: 600_000 }, async () => {
      const report = await runSoak({ requests: REQUESTS, modelsDir: MODELS_DIR });
      expect(report.unexpected).toEqual([]);
      expect(Object.values(report.counts).reduce((sum, n) => sum + (n ?? 0), 0)).toBe(REQUESTS);
      expect(Math.abs(report.tensorChange)).toBeLessThanOrEqual(0.05);
      // Growth is what a leak shows. glibc and V8 sometimes hand a block of pages back between
      // two samples, which lowers RSS by a few percent, so a fall is bounded more loosely.
      expect(report.rssChange).toBeLessThanOrEqual(0.05);
      expect(report.rssChange).toBeGreaterThanOrEqual(-0.1);
    });
  },
);
