/**
 * @module Routes of the web pages: the demo page at `/`, the admin page at `/admin` and their
 * static assets under `/static/<build>/`. The pages are plain HTML with vanilla JS modules, read
 * from `static/` once when the routes are created and served from memory.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';

/** Directory of the HTML, CSS and JS files served by these routes. */
export const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

/** URL prefix of the static assets, followed by the build id. */
export const ASSET_PREFIX = '/static';

/** Placeholder in the HTML pages that is replaced by `/static/<build>`. */
const ASSET_BASE_PLACEHOLDER = '{{ASSET_BASE}}';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Content-Security-Policy of every page and asset: scripts, styles and requests go only to this
 * origin, and images may also be `data:` URLs (the digit model's view). Inline scripts, inline
 * style attributes and framing are blocked.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** Pages are revalidated on every load, so a restart with new files shows at once. */
const PAGE_CACHE_CONTROL = 'no-cache';

/** Asset URLs contain the build id, so a cached asset never goes stale. */
const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
}

/** The files of one build: assets by file name and the two pages with asset URLs filled in. */
export interface WebBuild {
  /** First 12 hex digits of the SHA-256 over every static file's name and bytes. */
  id: string;
  assets: Map<string, StaticFile>;
  pages: { demo: StaticFile; admin: StaticFile };
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function toStaticFile(bytes: Uint8Array, name: string): StaticFile {
  const contentType = CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream';
  const body = new Uint8Array(bytes);
  return { body, contentType, etag: `"${sha256(body).slice(0, 27)}"` };
}

/**
 * Reads every file in `dir` (not recursive) and fills the asset URLs into `index.html` and
 * `admin.html`. Only the files found here are ever served, so no request path reaches the disk.
 */
export function loadWebBuild(dir: string = STATIC_DIR): WebBuild {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const hash = createHash('sha256');
  const contents = new Map<string, Uint8Array>();
  for (const name of names) {
    const body = readFileSync(path.join(dir, name));
    contents.set(name, body);
    hash.update(name).update('\0').update(body);
  }
  const id = hash.digest('hex').slice(0, 12);
  const assetBase = `${ASSET_PREFIX}/${id}`;

  const page = (name: string): StaticFile => {
    const template = contents.get(name);
    if (!template) throw new Error(`Web page ${name} is missing from ${dir}`);
    const html = Buffer.from(template)
      .toString('utf8')
      .replaceAll(ASSET_BASE_PLACEHOLDER, assetBase);
    return toStaticFile(Buffer.from(html, 'utf8'), name);
  };

  const assets = new Map<string, StaticFile>();
  for (const [name, body] of contents) {
    if (path.extname(name) !== '.html') assets.set(name, toStaticFile(body, name));
  }
  return { id, assets, pages: { demo: page('index.html'), admin: page('admin.html') } };
}

function send(c: Context, file: StaticFile, cacheControl: string): Response {
  const headers = new Headers(SECURITY_HEADERS);
  headers.set('Cache-Control', cacheControl);
  headers.set('ETag', file.etag);
  const ifNoneMatch = c.req.header('If-None-Match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set('Content-Type', file.contentType);
  headers.set('Content-Length', String(file.body.byteLength));
  return new Response(file.body, { status: 200, headers });
}

/**
 * Creates the routes of the web pages. Mount them with `app.route('/', createWebRoutes())`.
 * `GET /admin` serves the page only, so the admin API under `/admin/...` is unaffected.
 *
 * @param build files to serve, by default the files in `static/`, read once here.
 */
export function createWebRoutes(build: WebBuild = loadWebBuild()): Hono {
  const app = new Hono();

  app.get('/', (c) => send(c, build.pages.demo, PAGE_CACHE_CONTROL));
  app.get('/admin', (c) => send(c, build.pages.admin, PAGE_CACHE_CONTROL));
  app.get('/admin/', (c) => c.redirect('/admin', 301));

  app.get(`${ASSET_PREFIX}/:build/:file`, (c) => {
    const file = build.assets.get(c.req.param('file'));
    if (c.req.param('build') !== build.id || !file) return c.notFound();
    return send(c, file, ASSET_CACHE_CONTROL);
  });

  return app;
}
