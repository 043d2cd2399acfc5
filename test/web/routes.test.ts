import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  ASSET_PREFIX,
  CONTENT_SECURITY_POLICY,
  createWebRoutes,
  loadWebBuild,
} from '../../src/web/routes.ts';

const build = loadWebBuild();
const app = new Hono();
app.route('/', createWebRoutes(build));
app.get('/admin/status', (c) => c.json({ ok: true }));

function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
    .map((match) => match[1])
    .filter((url) => url.startsWith(ASSET_PREFIX));
}

describe('web routes', () => {
  it.each([
    ['/', 'demo.js'],
    ['/admin', 'admin.js'],
  ])('serves %s as HTML with its entry module', async (url, entry) => {
    const response = await app.request(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('no-cache');
    const html = await response.text();
    expect(html).toContain(`${ASSET_PREFIX}/${build.id}/${entry}`);
    expect(html).not.toContain('{{ASSET_BASE}}');
  });

  it('sends a strict Content-Security-Policy', async () => {
    const response = await app.request('/');
    const policy = response.headers.get('Content-Security-Policy') ?? '';
    expect(policy).toBe(CONTENT_SECURITY_POLICY);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/https?:|unsafe-inline|unsafe-eval|\*/);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
  });

  it('names no outside host in any page or asset', () => {
    const files = [build.pages.demo, build.pages.admin, ...build.assets.values()];
    for (const file of files) {
      const text = Buffer.from(file.body).toString('utf8');
      // The SVG namespace is an identifier, not a request.
      const urls = text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? [];
      expect(urls.filter((url) => !url.endsWith('www.w3.org'))).toEqual([]);
    }
  });

  it('serves every linked asset with its content type and a long cache', async () => {
    const html = await (await app.request('/')).text();
    const urls = assetUrls(html);
    const names = urls.map((url) => path.basename(url));
    expect(names).toEqual(expect.arrayContaining(['style.css', 'icon.svg', 'demo.js', 'i18n.js']));
    const expected: Record<string, string> = {
      '.js': 'text/javascript; charset=utf-8',
      '.css': 'text/css; charset=utf-8',
      '.svg': 'image/svg+xml',
    };
    for (const url of urls) {
      const response = await app.request(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('Content-Type'), url).toBe(expected[path.extname(url)]);
      expect(response.headers.get('Cache-Control'), url).toBe(
        'public, max-age=31536000, immutable',
      );
      expect(response.headers.get('Content-Security-Policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('serves every module imported by another module', async () => {
    for (const [name, file] of build.assets) {
      if (!name.endsWith('.js')) continue;
      const source = Buffer.from(file.body).toString('utf8');
      for (const [, imported] of source.matchAll(/from '\.\/([\w-]+\.js)'/g)) {
        const response = await app.request(`${ASSET_PREFIX}/${build.id}/${imported}`);
        expect(response.status, `${name} imports ${imported}`).toBe(200);
      }
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await app.request('/admin');
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^"[0-9a-f]{27}"$/);
    const second = await app.request('/admin', { headers: { 'If-None-Match': etag as string } });
    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
  });

  it.each([
    [`${ASSET_PREFIX}/000000000000/demo.js`],
    [`${ASSET_PREFIX}/BUILD/missing.js`],
    [`${ASSET_PREFIX}/BUILD/..%2Froutes.ts`],
    [`${ASSET_PREFIX}/BUILD/index.html`],
  ])('answers 404 for %s', async (url) => {
    const response = await app.request(url.replace('BUILD', build.id));
    expect(response.status).toBe(404);
  });

  it('leaves the admin API under /admin/ to other routes', async () => {
    const response = await app.request('/admin/status');
    expect(await response.json()).toEqual({ ok: true });
    const redirect = await app.request('/admin/');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('Location')).toBe('/admin');
  });

  it('derives the build id from the file contents', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-web-'));
    writeFileSync(path.join(dir, 'index.html'), '<script src="{{ASSET_BASE}}/a.js"></script>');
    writeFileSync(path.join(dir, 'admin.html'), '<p>admin</p>');
    writeFileSync(path.join(dir, 'a.js'), 'export {};');
    const first = loadWebBuild(dir);
    writeFileSync(path.join(dir, 'a.js'), 'export const changed = true;');
    const second = loadWebBuild(dir);
    expect(first.id).toMatch(/^[0-9a-f]{12}$/);
    expect(second.id).not.toBe(first.id);
    expect(Buffer.from(second.pages.demo.body).toString()).toContain(`/static/${second.id}/a.js`);
  });
});
