/**
 * @module Helpers of the browser tests: Debian's chromium driven by playwright-core (never a
 * downloaded browser) and an app served on 127.0.0.1 port 0. Every request the pages make is
 * recorded, so tests can assert that none leaves the app's origin.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/core/config.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.join(PROJECT_ROOT, 'test/artifacts');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Served {
  origin: string;
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1 at a free port. */
export async function serveApp(app: Hono): Promise<Served> {
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface BrowserSession {
  context: BrowserContext;
  /** URL of every request made by any page of the context, in order. */
  requests: string[];
  /** Uncaught exceptions and Content-Security-Policy violations reported by any page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /** Browser locale, which sets navigator.languages. */
  locale?: string;
  /** Chromium binary; Debian's by default. */
  executablePath?: string;
}

/**
 * Launches chromium with a fresh profile directory.
 *
 * @throws Error naming the missing binary and how to install it when chromium is absent.
 */
export async function launchBrowser({
  viewport = { width: 1100, height: 900 },
  locale = 'ko-KR',
  executablePath = CHROMIUM_PATH,
}: LaunchOptions = {}): Promise<BrowserSession> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. The browser tests use Debian's chromium and never ` +
        'download a browser: install it with `apt-get install chromium` (.ci/run does this).',
    );
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'nunchi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale,
  });
  const requests: string[] = [];
  context.on('request', (request) => {
    requests.push(request.url());
  });

  const pageErrors: string[] = [];
  const watchPage = (page: Page) => {
    page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  return {
    context,
    requests,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Returns the recorded requests that went anywhere but `origin` (data: URLs are in-page). */
export function foreignRequests(requests: string[], origin: string): string[] {
  return requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
}

/** Returns the path of a screenshot named `name` under test/artifacts, creating the folder. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

/**
 * Returns the visible text elements of `page` whose text contrast is below `minimum`, with their
 * ratio. The background is composited from the element's ancestors. Disabled controls are exempt,
 * as WCAG 2.1 allows.
 */
export function lowContrastTexts(
  page: Page,
  minimum = 4.5,
): Promise<{ text: string; ratio: number }[]> {
  return page.evaluate((limit) => {
    type Rgba = [number, number, number, number];
    const parse = (value: string): Rgba => {
      const parts = value.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [parts[0], parts[1], parts[2], parts[3] ?? 1];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const alpha = top[3] + bottom[3] * (1 - top[3]);
      const mix = (i: number) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / alpha;
      return [mix(0), mix(1), mix(2), alpha];
    };
    const luminance = ([r, g, b]: Rgba) => {
      const channel = (value: number) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const backgroundOf = (element: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let node: Element | null = element; node; node = node.parentElement) {
        layers.push(parse(getComputedStyle(node).backgroundColor));
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const failures: { text: string; ratio: number }[] = [];
    for (const element of document.body.querySelectorAll('*')) {
      const ownText = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent?.trim() ?? '')
        .join(' ')
        .trim();
      const box = element.getBoundingClientRect();
      if (!ownText || box.width === 0 || box.height === 0) continue;
      if ((element as HTMLButtonElement).disabled || element.closest(':disabled')) continue;
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const background = backgroundOf(element);
      const foreground = over(parse(style.color), background);
      const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
      const ratio = (light + 0.05) / (dark + 0.05);
      if (ratio < limit)
        failures.push({ text: ownText.slice(0, 40), ratio: Number(ratio.toFixed(2)) });
    }
    return failures;
  }, minimum);
}
