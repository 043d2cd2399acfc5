import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NunchiError } from '../../src/core/errors.ts';
import { getLogger } from '../../src/core/logger.ts';
import { MAX_JSON_BYTES, MAX_UPLOAD_BYTES } from '../../src/server/body.ts';
import { createErrorHandler } from '../../src/server/errors.ts';
import { createApp } from '../../src/server/index.ts';
import { createWebRoutes } from '../../src/web/routes.ts';
import { authHeader, createTestService, type TestService } from './fixtures/service.ts';

const post = (body: BodyInit, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body,
});

interface ErrorBody {
  error: { code: string; message: string };
}

describe('public API', () => {
  let service: TestService;
  beforeEach(async () => {
    service = await createTestService();
  });
  afterEach(async () => {
    await service.cleanup();
  });

  it('classifies sentiment with the serving version', async () => {
    const response = await service.app.request(
      '/api/sentiment',
      post(JSON.stringify({ text: 'good', lang: 'en' })),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { label: string; modelVersion: string };
    expect(body.label).toBe('positive');
    expect(body.modelVersion).toBe('v1');
  });

  it.each([
    ['missing text', {}, 'text'],
    ['numeric text', { text: 5 }, 'text'],
    ['unknown lang', { text: 'hi', lang: 'fr' }, 'lang'],
  ])('rejects %s naming the field', async (_case, body, field) => {
    const response = await service.app.request('/api/sentiment', post(JSON.stringify(body)));
    expect(response.status).toBe(400);
    const error = (await response.json()) as ErrorBody;
    expect(error.error.code).toBe('BAD_REQUEST');
    expect(error.error.message).toContain(`${field}:`);
  });

  it('rejects a body that is not JSON', async () => {
    const response = await service.app.request('/api/sentiment', post('{"text": '));
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toContain('not valid UTF-8 JSON');
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form post', 'application/x-www-form-urlencoded'],
    ['no content type', ''],
  ])('rejects JSON sent as %s with 415', async (_case, contentType) => {
    const response = await service.app.request('/api/sentiment', {
      method: 'POST',
      headers: contentType ? { 'Content-Type': contentType } : {},
      body: JSON.stringify({ text: 'good', lang: 'en' }),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['a false small Content-Length', '10'],
    ['a non-numeric Content-Length', 'abc'],
    ['no Content-Length', undefined],
  ])('rejects JSON over 64 KB with %s', async (_case, declared) => {
    const text = 'a'.repeat(MAX_JSON_BYTES);
    const headers: Record<string, string> = declared ? { 'Content-Length': declared } : {};
    const response = await service.app.request(
      '/api/sentiment',
      post(JSON.stringify({ text }), headers),
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects an upload over 50 MB that claims 100 bytes', async () => {
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Stream one chunk past the limit; reading must stop before the end.
        if (sent > MAX_UPLOAD_BYTES) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await service.app.request('/api/digit', {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', 'Content-Length': '100' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects an upload whose Content-Length already says over 50 MB', async () => {
    const response = await service.app.request('/api/digit', {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', 'Content-Length': String(MAX_UPLOAD_BYTES + 1) },
      body: 'tiny',
    });
    expect(response.status).toBe(413);
  });

  it('reads a raw image and returns the debug image as a data URL', async () => {
    const response = await service.app.request('/api/digit', {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: new Uint8Array([1, 2, 3, 4, 5]),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      text: string;
      debugImage: string;
      digits: Record<string, unknown>[];
    };
    expect(answer.text).toBe('7');
    expect(answer.debugImage).toMatch(/^data:image\/png;base64,/);
    expect(answer.digits[0]).not.toHaveProperty('input');
    expect(answer.digits[0].digit).toBe(7);
  });

  it('reads an image from the multipart field "image"', async () => {
    const form = new FormData();
    form.append('image', new File([new Uint8Array([1, 2, 3, 4, 5])], 'seven.png'));
    const response = await service.app.request('/api/digit', { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const missing = new FormData();
    missing.append('picture', new File([new Uint8Array([1])], 'x.png'));
    const wrong = await service.app.request('/api/digit', { method: 'POST', body: missing });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as ErrorBody).error.message).toContain('"image"');
  });

  it('maps a vision error code to its status', async () => {
    const response = await service.app.request('/api/digit', {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: new Uint8Array([1]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe('IMAGE_INVALID');
  });

  it('stores web feedback', async () => {
    const response = await service.app.request(
      '/api/feedback',
      post(
        JSON.stringify({
          text: 'not bad at all',
          predictedLabel: 'negative',
          correctLabel: 'positive',
          modelName: 'sentiment-en',
          modelVersion: 'v1',
        }),
      ),
    );
    expect(response.status).toBe(201);
    expect(((await response.json()) as { id: number }).id).toBeGreaterThan(0);
    expect(service.store.listFeedback('sentiment-en')).toEqual([
      expect.objectContaining({ text: 'not bad at all', label: 1 }),
    ]);
    const invalid = await service.app.request(
      '/api/feedback',
      post(JSON.stringify({ text: 'x', predictedLabel: 'meh' })),
    );
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as ErrorBody).error.message).toContain('predictedLabel');
  });

  it('answers health and Prometheus metrics', async () => {
    await service.app.request('/api/sentiment', post(JSON.stringify({ text: 'good' })));
    const health = await service.app.request('/healthz');
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const metrics = await service.app.request('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain(
      'nunchi_http_requests_total{method="POST",route="/api/sentiment",status="200"} 1',
    );
    expect(text).toContain(
      'nunchi_http_request_duration_seconds_count{method="POST",route="/api/sentiment"} 1',
    );
    expect(text).toContain('nunchi_model_info{model="sentiment-en",version="v1"} 1');
    expect(text).toContain('nunchi_training_job_running 0');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await service.app.request('/nope');
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
    const metrics = await (await service.app.request('/metrics')).text();
    expect(metrics).toContain(
      'nunchi_http_requests_total{method="GET",route="unmatched",status="404"} 1',
    );
  });
});

describe('web pages', () => {
  it('serve /admin without shadowing the admin API', async () => {
    const service = await createTestService();
    try {
      const app = createApp({ ...service, web: createWebRoutes() });
      const page = await app.request('/admin');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const api = await app.request('/admin/jobs');
      expect(api.status).toBe(401);
      const authorised = await app.request('/admin/jobs', { headers: authHeader });
      expect(authorised.status).toBe(200);
    } finally {
      await service.cleanup();
    }
  });
});

describe('error handler', () => {
  it('turns a locked store into 503 with Retry-After', async () => {
    const app = new Hono();
    app.onError(createErrorHandler(getLogger('http')));
    app.get('/', () => {
      throw new NunchiError('STORAGE_FAILED', 'The SQLite store is locked by another process', {
        retryAfterSeconds: 5,
      });
    });
    const response = await app.request('/');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as ErrorBody).error.code).toBe('STORAGE_FAILED');
  });

  it('hides the message of an unexpected error', async () => {
    const app = new Hono();
    app.onError(createErrorHandler(getLogger('http')));
    app.get('/', () => {
      throw new Error('secret internals');
    });
    const response = await app.request('/');
    expect(response.status).toBe(500);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).not.toContain('secret');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once the budget is spent', async () => {
    const service = await createTestService({ ratePerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const response = await service.app.request(
          '/api/sentiment',
          post(JSON.stringify({ text: 'good' })),
        );
        statuses.push(response.status);
        if (response.status === 429) {
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
          expect(((await response.json()) as ErrorBody).error.code).toBe('RATE_LIMITED');
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const admin = await service.app.request('/admin/jobs');
      expect(admin.status).toBe(401);
    } finally {
      await service.cleanup();
    }
  });
});
