import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, lowContrastTexts, serveApp, type BrowserSession } from './browser.ts';

describe('launchBrowser', () => {
  it('names a missing chromium and how to install it', async () => {
    const launch = launchBrowser({ executablePath: '/nonexistent/chromium' });
    await expect(launch).rejects.toThrow('Chromium not found at /nonexistent/chromium');
    await expect(launch).rejects.toThrow('apt-get install chromium');
  });
});

describe('lowContrastTexts', () => {
  let browser: BrowserSession;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('reports pale text and exempts disabled controls', async () => {
    const page = await browser.context.newPage();
    await page.setContent(
      '<p style="color:#aaa">pale text</p><p style="color:#1a1a1a">dark text</p>' +
        '<button disabled style="color:#ccc">off</button>' +
        '<div style="background:rgb(29 78 216 / 0.5)"><span style="color:#fff">on blue</span></div>',
    );
    const failures = await lowContrastTexts(page);
    expect(failures.map((failure) => failure.text)).toEqual(['pale text', 'on blue']);
    expect(failures[0].ratio).toBeCloseTo(2.32, 1);
    await page.close();
  });
});

describe('pageErrors', () => {
  it('records policy violations and uncaught exceptions', async () => {
    const app = new Hono();
    app.get('/', (c) =>
      c.html('<script>window.inline = 1</script><script src="/throw.js"></script>', 200, {
        'Content-Security-Policy': "script-src 'self'",
      }),
    );
    app.get('/throw.js', (c) =>
      c.body("throw new Error('thrown by page');", 200, { 'Content-Type': 'text/javascript' }),
    );
    const served = await serveApp(app);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${served.origin}/`);
      await expect.poll(() => browser.pageErrors.length).toBe(2);
      expect(browser.pageErrors.join('\n')).toContain('Content Security Policy');
      expect(browser.pageErrors.join('\n')).toContain('uncaught: thrown by page');
    } finally {
      await browser.close();
      await served.close();
    }
  });
});
