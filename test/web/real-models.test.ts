/**
 * The demo page in chromium against the real service: the model host serves the shipped models in
 * data/models, loaded once for the file, with a temporary DATA_DIR.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../src/core/config.ts';
import { MODEL_NAMES, type DigitAnswer, type SentimentResult } from '../../src/core/contracts.ts';
import { METADATA_FILE } from '../../src/core/model-dir.ts';
import { createService, type Service } from '../../src/server/index.ts';
import {
  artifactPath,
  foreignRequests,
  launchBrowser,
  serveApp,
  type BrowserSession,
  type Served,
} from './browser.ts';

const SHIPPED_MODELS_DIR = path.join(PROJECT_ROOT, 'data/models');
const KOREAN_REVIEW = '배우들 연기가 정말 좋았고 스토리도 감동적이었어요. 최고의 영화!';
const ENGLISH_REVIEW =
  'The plot was boring and predictable, the acting was awful, and I wasted two hours. ' +
  'A terrible movie.';
/** Side of the drawing pad in canvas pixels. The stroke points below are in these units. */
const PAD_SIZE = 280;

/** Returns the models that have no version directory with metadata under data/models. */
function missingShippedModels(): string[] {
  return MODEL_NAMES.filter((name) => {
    const folder = path.join(SHIPPED_MODELS_DIR, name);
    if (!existsSync(folder)) return true;
    const versions = readdirSync(folder, { withFileTypes: true }).filter((entry) =>
      entry.isDirectory(),
    );
    return !versions.some((entry) => existsSync(path.join(folder, entry.name, METADATA_FILE)));
  });
}

const missing = missingShippedModels();
const title =
  missing.length === 0
    ? 'demo page with the shipped models in chromium'
    : `demo page with the shipped models in chromium (skipped: data/models lacks ${missing.join(', ')})`;

/** Moves the mouse, button down, through `points` (pad pixels) on the pad, then releases it. */
async function strokeOnPad(page: Page, points: [number, number][]) {
  const box = await page.locator('#pad').boundingBox();
  if (!box) throw new Error('The drawing pad #pad is not visible');
  const at = ([x, y]: [number, number]) =>
    [box.x + (x / PAD_SIZE) * box.width, box.y + (y / PAD_SIZE) * box.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 15 });
  await page.mouse.up();
}

/** Submits `text` in the review box and returns the API response that the page rendered. */
async function analyzeReview(page: Page, text: string): Promise<SentimentResult> {
  await page.locator('#review').fill(text);
  const response = page.waitForResponse((candidate) => candidate.url().endsWith('/api/sentiment'));
  await page.locator('#analyze').click();
  const answered: Response = await response;
  expect(answered.status()).toBe(200);
  const result = (await answered.json()) as SentimentResult;
  await page.locator('#sentiment-result').waitFor({ state: 'visible' });
  await expect.poll(() => page.locator('#sentiment-status').textContent()).not.toBe('');
  return result;
}

/** Returns each highlight of the review: its text, its colour class and its tooltip. */
function highlightsOf(page: Page) {
  return page.locator('#sentiment-result p.highlighted mark').evaluateAll((marks) =>
    marks.map((mark) => ({
      text: mark.textContent ?? '',
      className: mark.className,
      title: mark.getAttribute('title') ?? '',
    })),
  );
}

describe.skipIf(missing.length > 0)(title, () => {
  let root: string;
  let service: Service;
  let served: Served;
  let browser: BrowserSession;
  let page: Page;
  const consoleErrors: string[] = [];
  const failedResponses: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'nunchi-web-real-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: path.join(root, 'data'),
      MODELS_DIR: SHIPPED_MODELS_DIR,
      RATE_LIMIT_PER_MINUTE: '10000',
    });
    service = await createService({ config });
    served = await serveApp(service.app);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${served.origin}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    if (service) {
      await service.jobs.shutdown();
      service.host.close();
      service.store.close();
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('serves every shipped model', () => {
    const loaded = service.host.describeModels().map((model) => model.name);
    expect([...loaded].sort()).toEqual([...MODEL_NAMES].sort());
  });

  it('Korean review positive, top words highlighted', async () => {
    const result = await analyzeReview(page, KOREAN_REVIEW);
    expect(result.model).toBe('sentiment-ko');
    expect(result.label).toBe('positive');
    expect(result.topWords.length).toBeGreaterThan(0);

    expect(await page.locator('#sentiment-label').textContent()).toBe('긍정');
    expect(await page.locator('#sentiment-confidence').textContent()).toMatch(/확신도 \d+(\.\d)?%/);
    expect(await page.locator('#sentiment-result p.highlighted').textContent()).toBe(KOREAN_REVIEW);
    const marks = await highlightsOf(page);
    expect(marks.length).toBeGreaterThan(0);
    for (const mark of marks) {
      expect(KOREAN_REVIEW).toContain(mark.text);
      const word = result.topWords.find(({ token }) => mark.title.startsWith(`${token} `));
      expect(
        word,
        `highlight "${mark.text}" (${mark.title}) is no returned top word`,
      ).toBeDefined();
      expect(mark.className).toBe((word?.weight ?? 0) >= 0 ? 'pos' : 'neg');
    }
    expect(marks.some((mark) => mark.className === 'pos')).toBe(true);
    await page.screenshot({ path: artifactPath('real-sentiment-ko.png'), fullPage: true });
  });

  it('labels an English review negative', async () => {
    await page.locator('#lang').selectOption('en');
    const result = await analyzeReview(page, ENGLISH_REVIEW);
    expect(result.model).toBe('sentiment-en');
    expect(result.label).toBe('negative');

    expect(await page.locator('#sentiment-label').textContent()).toBe('Negative');
    expect(await page.locator('#sentiment-result p.highlighted').textContent()).toBe(
      ENGLISH_REVIEW,
    );
    const marks = await highlightsOf(page);
    expect(marks.some((mark) => mark.className === 'neg')).toBe(true);
    await page.screenshot({ path: artifactPath('real-sentiment-en.png'), fullPage: true });
    await page.locator('#lang').selectOption('ko');
  });

  it('reads a 7 drawn with pointer events', async () => {
    await page.locator('#pad').scrollIntoViewIfNeeded();
    // A large 7: the bar across the top, then the diagonal from its right end down-left.
    await strokeOnPad(page, [
      [60, 50],
      [220, 50],
    ]);
    await strokeOnPad(page, [
      [220, 50],
      [120, 240],
    ]);
    // The page reads the pad on its own 700 ms after the last stroke.
    const response = await page.waitForResponse((candidate) =>
      candidate.url().endsWith('/api/digit'),
    );
    expect(response.status()).toBe(200);
    const answer = (await response.json()) as DigitAnswer;
    expect(answer.text).toBe('7');
    expect(answer.kind).toBe('digit');

    await expect.poll(() => page.locator('#digit-answer').textContent()).toBe('7');
    const candidates = page.locator('#digit-result .candidates li .candidate-digit');
    expect(await candidates.count()).toBe(3);
    expect(await candidates.first().textContent()).toBe('7');
    await expect
      .poll(() =>
        page.locator('#model-view').evaluate((image: HTMLImageElement) => image.naturalWidth),
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath('real-digit-7.png'), fullPage: true });
  });

  it('logs no console error and no failed request', () => {
    expect(consoleErrors).toEqual([]);
    expect(failedResponses).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('makes no request outside the app origin', () => {
    expect(browser.requests.length).toBeGreaterThan(5);
    expect(foreignRequests(browser.requests, served.origin)).toEqual([]);
  });
});
