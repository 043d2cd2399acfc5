/**
 * @module Model registry on disk. Versions live in two roots: shipped ones under MODELS_DIR and
 * trained ones under DATA_DIR/models, one sealed directory per version (see core/model-dir.ts).
 * The serving version of a model is named by DATA_DIR/models/<name>/CURRENT when that file exists,
 * else by MODELS_DIR/<name>/CURRENT. Every change on disk is a rename, so a process killed at any
 * moment leaves either the old or the new state, never a half-written one.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ModelMetrics, ModelName } from '../core/contracts.ts';
import { MODEL_NAMES } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { METADATA_FILE, verifyModelDir, type ModelMetadata } from '../core/model-dir.ts';
import { CURRENT_FILE } from './locate.ts';

/** File beside CURRENT listing the versions that served, oldest first; rollback pops it. */
export const HISTORY_FILE = 'HISTORY.json';
/** Prefix of the temporary directories new versions are written into before the rename. */
export const STAGING_PREFIX = '.staging-';
/** A candidate is promoted automatically when its accuracy is at most this far below serving. */
export const AUTO_PROMOTE_TOLERANCE = 0.005;

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export type VersionSource = 'shipped' | 'trained';
export type VersionStatus = 'serving' | 'candidate' | 'previous';

export interface ModelVersionInfo {
  version: string;
  createdAt: string | undefined;
  source: VersionSource;
  metrics: ModelMetrics | undefined;
  status: VersionStatus;
  dir: string;
}

export interface ModelOverview {
  name: ModelName;
  serving: string | undefined;
  versions: ModelVersionInfo[];
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

/**
 * Decides whether a new version replaces the serving one: yes when nothing serves or when its
 * accuracy is at least the serving accuracy minus 0.5 percentage points.
 */
export function decidePromotion(
  candidateAccuracy: number,
  servingAccuracy: number | undefined,
): PromotionDecision {
  const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
  if (servingAccuracy === undefined) {
    return { promote: true, reason: 'No version was serving, so the new one serves now.' };
  }
  if (candidateAccuracy >= servingAccuracy - AUTO_PROMOTE_TOLERANCE) {
    return {
      promote: true,
      reason: `Accuracy ${percent(candidateAccuracy)} is within 0.5 points of the serving ${percent(servingAccuracy)} or better.`,
    };
  }
  return {
    promote: false,
    reason: `Accuracy ${percent(candidateAccuracy)} is more than 0.5 points below the serving ${percent(servingAccuracy)}; promote it explicitly to serve it.`,
  };
}

/** Checks that `version` is a safe directory name, so that it cannot escape the model folder. */
export function assertVersionId(version: string): void {
  if (!VERSION_PATTERN.test(version)) {
    throw new NunchiError(
      'BAD_REQUEST',
      `Invalid version "${version}": expected letters, digits, ".", "_" or "-" (at most 100)`,
      { version },
    );
  }
}

export function assertModelName(name: string): asserts name is ModelName {
  if (!(MODEL_NAMES as readonly string[]).includes(name)) {
    throw new NunchiError(
      'NOT_FOUND',
      `Unknown model "${name}"; expected ${MODEL_NAMES.join(', ')}`,
      {
        name,
      },
    );
  }
}

/** Writes `content` to `file` through a temporary file and a rename, so readers never see half. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const handle = await fs.open(temporary, 'w');
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (error) {
    // A full disk leaves a partial temporary file; remove it so that retries do not pile up.
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function readMetadata(dir: string): Promise<Partial<ModelMetadata> | undefined> {
  const text = await readText(path.join(dir, METADATA_FILE));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Partial<ModelMetadata>;
  } catch {
    return undefined;
  }
}

async function versionDirs(folder: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(folder, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

export class ModelRegistry {
  readonly shippedRoot: string;
  readonly runtimeRoot: string;

  constructor(options: { modelsDir: string; dataDir: string }) {
    this.shippedRoot = options.modelsDir;
    this.runtimeRoot = path.join(options.dataDir, 'models');
  }

  /** Directory of `version`, trained versions first; undefined when neither root has it. */
  versionDir(name: ModelName, version: string): string | undefined {
    assertVersionId(version);
    for (const root of [this.runtimeRoot, this.shippedRoot]) {
      const dir = path.join(root, name, version);
      if (existsSync(path.join(dir, METADATA_FILE))) return dir;
    }
    return undefined;
  }

  /** The serving version of `name` and its directory, or undefined when none is installed. */
  async serving(name: ModelName): Promise<{ version: string; dir: string } | undefined> {
    const runtimePointer = await readText(path.join(this.runtimeRoot, name, CURRENT_FILE));
    const shippedPointer = await readText(path.join(this.shippedRoot, name, CURRENT_FILE));
    for (const version of [runtimePointer, shippedPointer]) {
      if (!version || !VERSION_PATTERN.test(version)) continue;
      const dir = this.versionDir(name, version);
      if (dir) return { version, dir };
    }
    // Without a pointer the newest shipped version serves, as the CLI's lookup does.
    const newest = (await versionDirs(path.join(this.shippedRoot, name))).at(-1);
    return newest ? { version: newest, dir: path.join(this.shippedRoot, name, newest) } : undefined;
  }

  /** Versions that served, oldest first, ending with the serving one. */
  async history(name: ModelName): Promise<string[]> {
    const text = await readText(path.join(this.runtimeRoot, name, HISTORY_FILE));
    let history: string[] = [];
    try {
      const parsed: unknown = text ? JSON.parse(text) : [];
      if (Array.isArray(parsed)) history = parsed.filter((item) => typeof item === 'string');
    } catch {
      history = [];
    }
    const serving = (await this.serving(name))?.version;
    if (!serving || history.at(-1) === serving) return history;
    // setServing writes HISTORY before CURRENT. Entries after the serving version's last
    // occurrence come from a switch that never reached CURRENT, and a serving version missing
    // from the end comes from a switch whose HISTORY write was lost.
    const last = history.lastIndexOf(serving);
    return last >= 0 ? history.slice(0, last + 1) : [...history, serving];
  }

  /** Every version of `name` in both roots with its source, metrics and status. */
  async listVersions(name: ModelName): Promise<ModelVersionInfo[]> {
    const serving = (await this.serving(name))?.version;
    const served = new Set(await this.history(name));
    const found = new Map<string, ModelVersionInfo>();
    const roots: [string, VersionSource][] = [
      [this.shippedRoot, 'shipped'],
      [this.runtimeRoot, 'trained'],
    ];
    for (const [root, source] of roots) {
      for (const version of await versionDirs(path.join(root, name))) {
        const dir = path.join(root, name, version);
        const metadata = await readMetadata(dir);
        if (!metadata) continue;
        const status: VersionStatus =
          version === serving ? 'serving' : served.has(version) ? 'previous' : 'candidate';
        found.set(version, {
          version,
          createdAt: metadata.createdAt,
          source,
          metrics: metadata.metrics,
          status,
          dir,
        });
      }
    }
    return [...found.values()].sort((a, b) =>
      (a.createdAt ?? a.version).localeCompare(b.createdAt ?? b.version),
    );
  }

  async listModels(): Promise<ModelOverview[]> {
    const models: ModelOverview[] = [];
    for (const name of MODEL_NAMES) {
      models.push({
        name,
        serving: (await this.serving(name))?.version,
        versions: await this.listVersions(name),
      });
    }
    return models;
  }

  /** A fresh temporary directory path for a version being written; it does not exist yet. */
  async stagingDir(name: ModelName, id: string): Promise<string> {
    const folder = path.join(this.runtimeRoot, name);
    await fs.mkdir(folder, { recursive: true });
    return path.join(folder, `${STAGING_PREFIX}${id}`);
  }

  /**
   * Verifies the sealed version in `stagingDir` and renames it into place as `version`.
   *
   * @throws NunchiError MODEL_INVALID when a checksum fails or the version id differs, and
   *   JOB_CONFLICT when the version already exists.
   */
  async install(name: ModelName, stagingDir: string, version: string): Promise<string> {
    assertVersionId(version);
    const metadata = await verifyModelDir(stagingDir);
    if (metadata.name !== name || metadata.version !== version) {
      throw new NunchiError(
        'MODEL_INVALID',
        `Staged model is ${metadata.name} ${metadata.version}; expected ${name} ${version}`,
        { stagingDir },
      );
    }
    const target = path.join(this.runtimeRoot, name, version);
    if (existsSync(target) || this.versionDir(name, version)) {
      throw new NunchiError('JOB_CONFLICT', `Version ${version} of ${name} already exists`, {
        name,
        version,
      });
    }
    await fs.rename(stagingDir, target);
    return target;
  }

  /**
   * Makes `version` the serving version of `name` by replacing CURRENT atomically, and returns the
   * version that served before.
   *
   * @throws NunchiError NOT_FOUND when the version is in neither root.
   */
  async setServing(name: ModelName, version: string): Promise<{ previous: string | undefined }> {
    const dir = this.versionDir(name, version);
    if (!dir) {
      throw new NunchiError('NOT_FOUND', `Model ${name} has no version "${version}"`, {
        name,
        version,
      });
    }
    await verifyModelDir(dir);
    const history = await this.history(name);
    const previous = history.at(-1);
    const folder = path.join(this.runtimeRoot, name);
    await fs.mkdir(folder, { recursive: true });
    if (previous !== version) history.push(version);
    // CURRENT decides what serves, so it is written last; history() repairs HISTORY on read.
    await writeFileAtomic(path.join(folder, HISTORY_FILE), `${JSON.stringify(history)}\n`);
    await writeFileAtomic(path.join(folder, CURRENT_FILE), `${version}\n`);
    return { previous };
  }

  /**
   * Serves the version that served before the current one again.
   *
   * @throws NunchiError NOT_FOUND when no earlier version is left.
   */
  async rollback(name: ModelName): Promise<{ from: string; to: string }> {
    const history = await this.history(name);
    const from = history.pop();
    while (history.length > 0 && !this.versionDir(name, history.at(-1) as string)) history.pop();
    const to = history.at(-1);
    if (!from || !to) {
      throw new NunchiError(
        'NOT_FOUND',
        `Model ${name} has no earlier version to roll back to; promote a version instead`,
        { name },
      );
    }
    await verifyModelDir(this.versionDir(name, to) as string);
    const folder = path.join(this.runtimeRoot, name);
    await fs.mkdir(folder, { recursive: true });
    // CURRENT goes first here: if the HISTORY write is lost, `from` stays after `to` and
    // history() drops it, which completes the rollback.
    await writeFileAtomic(path.join(folder, CURRENT_FILE), `${to}\n`);
    await writeFileAtomic(path.join(folder, HISTORY_FILE), `${JSON.stringify(history)}\n`);
    return { from, to };
  }

  /** Deletes temporary directories left by jobs that never finished. Returns how many. */
  async removeStagingDirs(): Promise<number> {
    let removed = 0;
    for (const name of MODEL_NAMES) {
      const folder = path.join(this.runtimeRoot, name);
      const entries = await fs.readdir(folder).catch(() => [] as string[]);
      for (const entry of entries.filter((item) => item.startsWith(STAGING_PREFIX))) {
        await fs.rm(path.join(folder, entry), { recursive: true, force: true });
        removed += 1;
      }
    }
    return removed;
  }
}
