/**
 * @module On-disk format of one model version: a directory holding the model's files and a
 * `metadata.json` that lists each file's SHA-256, so that a corrupt or truncated file is detected
 * before any weight is read.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ModelMetrics, ModelName } from './contracts.ts';
import { NunchiError } from './errors.ts';

export const METADATA_FILE = 'metadata.json';

/** Everything saved beside a model's weights, except the file checksums. */
export interface ModelMetadataInput {
  name: ModelName;
  version: string;
  /** Architecture family, such as 'cnn1d+ngram' or 'mlp'. */
  kind: string;
  createdAt: string;
  /** Version of the text or image preprocessing the model was trained with. */
  preprocessingVersion: string;
  hyperParameters: Record<string, unknown>;
  dataset: { name: string; path?: string; split: string; trainRows: number; testRows: number };
  /** Metrics on the held-out test split. */
  metrics: ModelMetrics;
  /** Metrics on the validation split carved from the training data, when one was used. */
  validationMetrics?: ModelMetrics;
  trainingSeconds: number;
  backend: { name: string; gpu: boolean };
  [key: string]: unknown;
}

/** Everything saved beside a model's weights. */
export interface ModelMetadata extends ModelMetadataInput {
  /** SHA-256 of every other file in the directory, by file name. */
  files: Record<string, string>;
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/**
 * Writes `metadata.json` into `dir` with the checksum of every other file already there. Call it
 * last, after all model files are written.
 */
export async function sealModelDir(
  dir: string,
  metadata: ModelMetadataInput,
): Promise<ModelMetadata> {
  const entries = (await fs.readdir(dir)).filter((entry) => entry !== METADATA_FILE).sort();
  const files: Record<string, string> = {};
  for (const entry of entries) files[entry] = await sha256File(path.join(dir, entry));
  const sealed: ModelMetadata = { ...metadata, files };
  await fs.writeFile(path.join(dir, METADATA_FILE), `${JSON.stringify(sealed, null, 2)}\n`);
  return sealed;
}

/**
 * Reads `metadata.json` from `dir` and checks every listed file against its SHA-256.
 *
 * @throws NunchiError MODEL_NOT_FOUND when the directory or its metadata is missing, and
 *   MODEL_INVALID when the metadata cannot be parsed or a file is missing or altered.
 */
export async function verifyModelDir(dir: string): Promise<ModelMetadata> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, METADATA_FILE), 'utf8');
  } catch (error) {
    throw new NunchiError(
      'MODEL_NOT_FOUND',
      `No model metadata at ${path.join(dir, METADATA_FILE)}`,
      {
        dir,
      },
      { cause: error },
    );
  }
  let metadata: ModelMetadata;
  try {
    metadata = JSON.parse(text) as ModelMetadata;
  } catch (error) {
    throw new NunchiError(
      'MODEL_INVALID',
      `Model metadata in ${dir} is not valid JSON`,
      { dir },
      {
        cause: error,
      },
    );
  }
  if (
    !metadata.files ||
    typeof metadata.files !== 'object' ||
    !metadata.name ||
    !metadata.version
  ) {
    throw new NunchiError(
      'MODEL_INVALID',
      `Model metadata in ${dir} lacks name, version or files`,
      {
        dir,
      },
    );
  }
  for (const [file, expected] of Object.entries(metadata.files)) {
    let actual: string;
    try {
      actual = await sha256File(path.join(dir, file));
    } catch (error) {
      throw new NunchiError(
        'MODEL_INVALID',
        `Model file ${file} is missing from ${dir}`,
        { dir, file },
        {
          cause: error,
        },
      );
    }
    if (actual !== expected) {
      throw new NunchiError(
        'MODEL_INVALID',
        `Model file ${file} in ${dir} is corrupt or truncated: its SHA-256 does not match metadata.json`,
        { dir, file },
      );
    }
  }
  return metadata;
}
