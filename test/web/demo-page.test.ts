import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  artifactPath,
  foreignRequests,
  launchBrowser,
  lowContrastTexts,
  type BrowserSession,
} from './browser.ts';
import { DEBUG_IMAGE_SIZE } from './stand-in-classifier.ts';
import { startWebTestApp, type WebTestApp } from './web-app.ts';

const KOREAN_REVIEW = '배우들 연기가 정말 좋았고 스토리도 재밌었어요. 올해 최고의 영화!';

/** Draws a 7 on the pad with mouse pointer events: the top bar, then the diagonal down-left. */
async function drawSeven(page: Page) {
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#pad').boundingBox();
  if (!box) throw new Error('The drawing pad #pad is not visible');
  const at = (x: number, y: number) =>
    [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
  await page.mouse.move(...at(75, 60));
  await page.mouse.down();
  await page.mouse.move(...at(205, 60), { steps: 12 });
  await page.mouse.move(...at(120, 230), { steps: 16 });
  await page.mouse.up();
}

/** Returns the ink bounding box and the ink share of the top and bottom bands of a drawing. */
async function inkLayout(png: Buffer) {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const inkColumns = (fromRow: number, toRow: number) => {
    const columns = new Set<number>();
    for (let y = fromRow; y < toRow; y += 1) {
      for (let x = 0; x < info.width; x += 1) if (data[y * info.width + x] < 128) columns.add(x);
    }
    return [...columns];
  };
  return {
    width: info.width,
    height: info.height,
    top: inkColumns(50, 70),
    bottom: inkColumns(210, 240),
  };
}

describe('demo page in chromium', () => {
  let app: WebTestApp;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    app = await startWebTestApp();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(`${app.origin}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('follows the Korean browser language', async () => {
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    expect(await page.locator('#sentiment-heading').textContent()).toBe('리뷰 감정 분석');
    expect(await page.locator('#lang').inputValue()).toBe('ko');
  });

  it('reaches every control by keyboard in reading order', async () => {
    const order: string[] = [];
    await page.locator('body').focus();
    for (let step = 0; step < 9; step += 1) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => {
          const element = document.activeElement as HTMLElement;
          return element.id || element.getAttribute('href') || element.tagName;
        }),
      );
    }
    expect(order).toEqual([
      '#main',
      '/',
      '/admin',
      'lang',
      'review',
      'analyze',
      'read',
      'clear',
      'digit-file',
    ]);
  });

  it('reports an empty review without a request', async () => {
    await page.locator('#analyze').click();
    await expect
      .poll(() => page.locator('#sentiment-error').textContent())
      .toContain('리뷰를 입력하세요');
  });

  it('classifies a Korean review and highlights its top words', async () => {
    await page.locator('#review').fill(KOREAN_REVIEW);
    await page.locator('#analyze').click();
    await page.locator('#sentiment-result').waitFor({ state: 'visible' });
    expect(await page.locator('#sentiment-label').textContent()).toBe('긍정');
    expect(await page.locator('#sentiment-confidence').textContent()).toMatch(/확신도 \d+(\.\d)?%/);
    const marks = await page.locator('#sentiment-result mark.pos').allTextContents();
    expect(marks).toContain('재밌');
    expect(marks).toContain('최고');
    expect(marks).toContain('좋');
    expect(await page.locator('#sentiment-result .words li').count()).toBe(3);
    expect(await page.locator('#sentiment-status').textContent()).toContain('긍정');
    expect(await page.locator('#sentiment-error').textContent()).toBe('');
    await page.screenshot({ path: artifactPath('demo-sentiment.png'), fullPage: true });
  });

  it('keeps text contrast at 4.5:1 or more', async () => {
    expect(await page.locator('#sentiment-result mark').count()).toBeGreaterThan(0);
    expect(await lowContrastTexts(page)).toEqual([]);
  });

  it('sends feedback on a result', async () => {
    await page.getByRole('button', { name: '👎 틀려요' }).click();
    await expect
      .poll(() => page.locator('.feedback-status').textContent())
      .toContain('저장했습니다');
    const stored = app.service.store.listFeedback('sentiment-ko');
    expect(stored.map(({ text, label }) => ({ text, label }))).toEqual([
      { text: KOREAN_REVIEW, label: 0 },
    ]);
  });

  it('switches the interface to English', async () => {
    await page.locator('#lang').selectOption('en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('#sentiment-label').textContent()).toBe('Positive');
    expect(await page.locator('#analyze').textContent()).toBe('Analyze');
    await page.locator('#lang').selectOption('ko');
    expect(await page.locator('#analyze').textContent()).toBe('분석');
  });

  it('shows a clear message when the server is unreachable', async () => {
    await page.route('**/api/sentiment', (route) => route.abort('connectionrefused'));
    await page.locator('#analyze').click();
    await expect
      .poll(() => page.locator('#sentiment-error').textContent())
      .toContain('서버에 연결하지 못했습니다');
    await page.unroute('**/api/sentiment');
  });

  it('reads a 7 drawn with pointer events', async () => {
    await drawSeven(page);
    await page.locator('#digit-result').waitFor({ state: 'visible' });
    await page.screenshot({ path: artifactPath('demo-digit.png'), fullPage: true });
    expect(app.classifier.images.length).toBeGreaterThanOrEqual(1);

    const layout = await inkLayout(app.classifier.images.at(-1) as Buffer);
    expect(layout.width).toBe(280);
    expect(layout.height).toBe(280);
    // The bar of the 7 spans the top band, and its diagonal crosses the bottom band near the middle.
    expect(Math.max(...layout.top) - Math.min(...layout.top)).toBeGreaterThan(120);
    expect(Math.max(...layout.bottom) - Math.min(...layout.bottom)).toBeLessThan(60);

    if (app.classifier.readsDigits)
      expect(await page.locator('#digit-answer').textContent()).toBe('7');
    expect(await page.locator('#digit-result .candidates li').count()).toBe(3);
    const view = page.locator('#model-view');
    await expect
      .poll(() => view.evaluate((image: HTMLImageElement) => image.naturalWidth))
      .toBe(DEBUG_IMAGE_SIZE);
    expect(await view.getAttribute('alt')).toContain('28×28');
  });

  it('clears the pad and the answer', async () => {
    await page.locator('#clear').click();
    expect(await page.locator('#digit-result').isHidden()).toBe(true);
    await page.locator('#read').click();
    await expect
      .poll(() => page.locator('#digit-status').textContent())
      .toContain('먼저 숫자를 그리세요');
  });

  it('fits a phone-width screen', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    await phone.goto(`${app.origin}/`);
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const pad = await phone.locator('#pad').boundingBox();
    expect(pad?.width).toBeLessThanOrEqual(360);
    await phone.screenshot({ path: artifactPath('demo-phone.png'), fullPage: true });
    await phone.close();
  });

  it('draws with touch on a phone-width screen', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    await phone.goto(`${app.origin}/`);
    const cdp = await browser.context.newCDPSession(phone);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });

    await phone.locator('#pad').scrollIntoViewIfNeeded();
    const box = await phone.locator('#pad').boundingBox();
    if (!box) throw new Error('The drawing pad #pad is not visible');
    const x = box.x + box.width / 2;
    const uploads = app.classifier.images.length;

    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchStart',
      touchPoints: [{ x, y: box.y + box.height * 0.2 }],
    });
    for (let step = 1; step <= 10; step += 1) {
      const y = box.y + box.height * (0.2 + 0.06 * step);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });

    await phone.locator('#digit-result').waitFor({ state: 'visible' });
    expect(app.classifier.images.length).toBe(uploads + 1);
    const layout = await inkLayout(app.classifier.images.at(-1) as Buffer);
    // A vertical stroke: ink in the top and bottom bands, in a narrow column at the centre.
    expect(Math.max(...layout.top) - Math.min(...layout.top)).toBeLessThan(40);
    expect(Math.abs(Math.min(...layout.bottom) - 140)).toBeLessThan(30);
    if (app.classifier.readsDigits) {
      expect(await phone.locator('#digit-answer').textContent()).toBe('1');
    }
    await phone.screenshot({ path: artifactPath('demo-phone-touch.png'), fullPage: true });
    await phone.close();
  });

  it('raises no script error or policy violation', () => {
    expect(browser.pageErrors).toEqual([]);
  });

  it('makes no request outside the app origin', () => {
    expect(browser.requests.length).toBeGreaterThan(5);
    expect(foreignRequests(browser.requests, app.origin)).toEqual([]);
  });
});
