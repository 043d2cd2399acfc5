import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NGRAM_WEIGHTS_FILE, NgramModel, ngramsOf } from '../../src/training/engine/ngram.ts';
import { createRandom } from '../../src/training/engine/random.ts';

const CONFIG = {
  maxN: 2,
  minDocumentCount: 1,
  maxFeatures: 1000,
  l2: 1e-4,
  epochs: 20,
  learningRate: 0.05,
  batchSize: 4,
};

const DOCUMENTS = [
  ['not', 'good', 'at', 'all'],
  ['really', 'good', 'film'],
  ['bad', 'film'],
  ['good', 'good', 'fun'],
  ['not', 'fun'],
  ['really', 'bad'],
];
const LABELS = [0, 1, 0, 1, 0, 0];

describe('NgramModel', () => {
  it('builds uni- and bigrams', () => {
    expect(ngramsOf(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c', 'a b', 'b c']);
  });

  it('gives L2-normalised TF-IDF rows', () => {
    const model = NgramModel.fit(DOCUMENTS, CONFIG);
    const row = model.vectorize(['good', 'good', 'film', 'unseen']);
    const norm = Math.sqrt(row.values.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
    // good, film, "good good" and "good film" are known; "unseen" and "film unseen" are not.
    expect(row.ids.length).toBe(4);
  });

  it('learns the training labels', () => {
    const model = NgramModel.fit(DOCUMENTS, CONFIG);
    const rows = DOCUMENTS.map((tokens) => model.vectorize(tokens));
    model.train(rows, LABELS, CONFIG, 1);
    rows.forEach((row, i) => expect(model.logit(row) > 0, `document ${i}`).toBe(LABELS[i] === 1));
  });

  it('returns the strongest contributions in order', () => {
    const model = NgramModel.fit(DOCUMENTS, CONFIG);
    const random = createRandom(3);
    model.weights.forEach((_, i) => (model.weights[i] = random() * 2 - 1));
    const row = model.vectorize(DOCUMENTS.flat());
    const expected = Array.from(row.ids, (id, i) => model.weights[id] * row.values[i])
      .sort((a, b) => Math.abs(b) - Math.abs(a))
      .slice(0, 4);
    const top = model.topContributions(row, 4);
    expect(top.map((entry) => entry.weight)).toEqual(expected);
  });

  it('round-trips through save and load and rejects a truncated file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-ngram-'));
    const model = NgramModel.fit(DOCUMENTS, CONFIG);
    model.train(
      DOCUMENTS.map((tokens) => model.vectorize(tokens)),
      LABELS,
      CONFIG,
      1,
    );
    await model.save(dir);
    const loaded = await NgramModel.load(dir);
    const row = loaded.vectorize(['really', 'good']);
    expect(loaded.logit(row)).toBeCloseTo(model.logit(model.vectorize(['really', 'good'])), 6);
    writeFileSync(path.join(dir, NGRAM_WEIGHTS_FILE), Buffer.alloc(10));
    await expect(NgramModel.load(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});
