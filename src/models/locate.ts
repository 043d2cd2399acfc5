/**
 * @module Finds the directory of the model version that serves now, without the HTTP registry:
 * the CLI and the bot use it. The registry in this folder may replace the lookup rules; this
 * function keeps their result.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getConfig } from '../core/config.ts';
import type { ModelName } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';

/** Name of the file, in a model's folder, that holds the serving version id. */
export const CURRENT_FILE = 'CURRENT';

function currentIn(root: string, name: ModelName): string | undefined {
  const folder = path.join(root, name);
  const pointer = path.join(folder, CURRENT_FILE);
  if (existsSync(pointer)) {
    const version = readFileSync(pointer, 'utf8').trim();
    if (version && existsSync(path.join(folder, version))) return path.join(folder, version);
  }
  if (!existsSync(folder)) return undefined;
  const versions = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const newest = versions.at(-1);
  return newest ? path.join(folder, newest) : undefined;
}

/** The directory, in the first root that has it, of the version that `pointer` names. */
function pointedVersion(pointer: string, name: ModelName, roots: string[]): string | undefined {
  const version = readFileSync(pointer, 'utf8').trim();
  if (!version || version.includes('/') || version.startsWith('.')) return undefined;
  return roots
    .map((root) => path.join(root, name, version))
    .find((dir) => existsSync(path.join(dir, 'metadata.json')));
}

/**
 * Returns the serving version's directory of `name`: the version named by CURRENT under
 * DATA_DIR/models (a trained version there or a shipped one under MODELS_DIR), else the shipped
 * one that MODELS_DIR's CURRENT names.
 *
 * @throws NunchiError MODEL_NOT_FOUND when neither location has a version.
 */
export async function resolveServingModelDir(name: ModelName): Promise<string> {
  const config = getConfig();
  const runtime = path.join(config.dataDir, 'models');
  const runtimePointer = path.join(runtime, name, CURRENT_FILE);
  const found =
    (existsSync(runtimePointer)
      ? pointedVersion(runtimePointer, name, [runtime, config.modelsDir])
      : undefined) ?? currentIn(config.modelsDir, name);
  if (!found) {
    throw new NunchiError(
      'MODEL_NOT_FOUND',
      `No ${name} model in ${config.modelsDir} or ${runtime}; train one with \`npm run cli -- train ${name}\``,
      { name },
    );
  }
  return found;
}
