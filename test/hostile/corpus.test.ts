/**
 * Runs every entry of the hostile input corpus against the real service (shipped models, real
 * text and image pipelines) on a loopback socket, and the Discord entries through the fake
 * gateway against the real bot. Each entry states its expected status and error code, or the
 * shape of its result. After each group the service must still answer a plain request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { isNunchiError } from '../../src/core/errors.ts';
import { startServer, type RunningServer } from '../../src/server/index.ts';
import { OPTION_TYPE } from '../fake-discord/index.ts';
import { startHarness, newUser, type Harness } from '../bot/harness.ts';
import {
  bytesOf,
  loadManifest,
  statusMatches,
  textOf,
  type DiscordEntry,
  type HttpEntry,
  type UploadEntry,
} from './corpus.ts';

const TOKEN = 'hostile-corpus-admin-token-0123';
const manifest = loadManifest();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

let dataDir: string;
let running: RunningServer;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-hostile-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    // The shipped models by default; MODELS_DIR runs the corpus against another set.
    MODELS_DIR: process.env.MODELS_DIR,
    TF_BACKEND: 'wasm',
    ADMIN_TOKEN: TOKEN,
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  running = await startServer({ config, web: false, port: 0, hostname: '127.0.0.1' });
});

afterAll(async () => {
  await running?.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const loaded = (name: string) =>
  running.service.host.describeModels().some((model) => model.name === name);
const anySentiment = () => loaded('sentiment-ko') || loaded('sentiment-en');

/** Returns the model a text entry needs and this run lacks, or undefined. */
function missingModel(entry: { needs?: string; lang?: string }): string | undefined {
  const needs = entry.needs ?? (entry.lang === 'en' ? 'sentiment-en' : undefined);
  if (needs && !loaded(needs)) return needs;
  if (!needs && !anySentiment()) return 'a sentiment model';
  return undefined;
}

async function errorCode(response: Response): Promise<string | undefined> {
  const body = (await response.json().catch(() => undefined)) as
    { error?: { code?: string; message?: string } } | undefined;
  if (body?.error) expect(body.error.message?.length ?? 0).toBeGreaterThan(10);
  return body?.error?.code;
}

describe('hostile text', () => {
  for (const entry of manifest.text) {
    it(`${entry.id} through the classifier`, async (context) => {
      if (!entry.classifier) return context.skip('no classifier expectation');
      const missing = missingModel(entry);
      if (missing) return context.skip(`needs ${missing}`);
      const text = textOf(entry);
      const outcome = await running.service.host.classifySentiment(text, { lang: entry.lang }).then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      );
      if (entry.classifier.error) {
        expect(isNunchiError(outcome.error, entry.classifier.error as never)).toBe(true);
        return;
      }
      expect(outcome.error).toBeUndefined();
      const result = outcome.result as NonNullable<typeof outcome.result>;
      expect(['positive', 'negative']).toContain(result.label);
      expect(result.confidence).toBeGreaterThanOrEqual(0.5);
      expect(result.confidence).toBeLessThanOrEqual(1);
      expect(Number.isFinite(result.probabilityPositive)).toBe(true);
      expect(result).toMatchObject(entry.classifier.result ?? {});
    });

    it(`${entry.id} through POST /api/sentiment`, async (context) => {
      if (!entry.http) return context.skip('no HTTP expectation');
      const missing = missingModel(entry);
      if (missing) return context.skip(`needs ${missing}`);
      const response = await fetch(`${running.url}/api/sentiment`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: textOf(entry), lang: entry.lang }),
      });
      expect(response.status).toBe(entry.http.status);
      if (entry.http.code) expect(await errorCode(response)).toBe(entry.http.code);
      else
        expect(((await response.json()) as { label: string }).label).toMatch(/positive|negative/);
    });
  }
});

async function upload(route: string, entry: UploadEntry): Promise<Response> {
  const bytes = bytesOf(entry);
  const headers: Record<string, string> = entry.noAuth ? {} : { Authorization: `Bearer ${TOKEN}` };
  if (!entry.multipart) {
    headers['Content-Type'] = entry.contentType;
    return fetch(`${running.url}${route}`, { method: 'POST', headers, body: bytes });
  }
  const form = new FormData();
  const name = entry.fileName ?? path.basename(entry.file ?? 'upload.bin');
  form.append(entry.multipart, new Blob([bytes], { type: entry.contentType }), name);
  return fetch(`${running.url}${route}`, { method: 'POST', headers, body: form });
}

describe('hostile images through POST /api/digit', () => {
  for (const entry of manifest.images) {
    it(entry.id, async (context) => {
      if (!loaded('digits-mlp') && !loaded('digits-cnn'))
        return context.skip('needs a digit model');
      const response = await upload('/api/digit', entry);
      expect(statusMatches(entry.expect.status, response.status)).toBe(true);
      if (entry.expect.code) expect(await errorCode(response)).toBe(entry.expect.code);
      if (entry.expect.text) {
        expect(((await response.json()) as { text: string }).text).toBe(entry.expect.text);
      }
    });
  }
});

describe('hostile data sets through POST /admin/datasets', () => {
  for (const entry of manifest.datasets) {
    it(entry.id, async () => {
      const response = await upload('/admin/datasets', entry);
      expect(statusMatches(entry.expect.status, response.status)).toBe(true);
      if (entry.expect.code) {
        expect(await errorCode(response)).toBe(entry.expect.code);
        return;
      }
      if (response.status >= 400) return;
      const body = (await response.json()) as Record<string, unknown>;
      for (const key of ['acceptedRows', 'format'] as const) {
        if (entry.expect[key] !== undefined) expect(body[key]).toBe(entry.expect[key]);
      }
      const record = running.service.store.getDataset(String(body.id));
      expect(record).toBeDefined();
      // Whatever the client names the file, it is stored by checksum inside DATA_DIR/datasets.
      expect(path.dirname(record?.path as string)).toBe(path.join(dataDir, 'datasets'));
    });
  }
});

/** Sends raw bytes and returns the status and the JSON body's error code, if any. */
function rawRequest(port: number, raw: string): Promise<{ status: number; code?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const finish = () => {
      socket.destroy();
      const text = received.toString('utf8');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
      resolve({ status, code });
    };
    socket.on('connect', () => socket.write(Buffer.from(raw, 'latin1')));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1];
      if (length !== undefined && received.length >= end + 4 + Number(length)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.setTimeout(10_000, finish);
  });
}

async function sendRequest(
  entry: HttpEntry,
): Promise<{ status: number; code?: string; body?: unknown }> {
  const request = entry.request as NonNullable<HttpEntry['request']>;
  const headers: Record<string, string> = {};
  if (request.contentType) headers['Content-Type'] = request.contentType;
  if (request.auth) headers.Authorization = `Bearer ${TOKEN}`;
  let body: BodyInit | undefined = request.body;
  if (request.bodyBase64) body = Buffer.from(request.bodyBase64, 'base64');
  if (request.nested) {
    body = `{"text":${'['.repeat(request.nested)}${']'.repeat(request.nested)}}`;
  }
  const response = await fetch(`${running.url}${request.path}`, {
    method: request.method,
    headers,
    body,
  });
  const json = (await response.json().catch(() => undefined)) as
    { error?: { code?: string } } | undefined;
  return { status: response.status, code: json?.error?.code, body: json };
}

describe('hostile HTTP headers and bodies', () => {
  for (const entry of manifest.http) {
    it(entry.id, async (context) => {
      if (
        entry.request?.path === '/api/sentiment' &&
        entry.expect.status === 200 &&
        !loaded('sentiment-en')
      ) {
        return context.skip('needs sentiment-en');
      }
      const outcome = entry.raw
        ? await rawRequest(running.port, entry.raw)
        : await sendRequest(entry);
      expect(statusMatches(entry.expect.status, outcome.status)).toBe(true);
      if (entry.expect.code) expect(outcome.code).toBe(entry.expect.code);
      if (entry.expect.notPolluted) {
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }
    });
  }

  it('still answers /healthz after the corpus', async () => {
    const response = await fetch(`${running.url}/healthz`);
    expect(response.status).toBe(200);
  });
});

describe('hostile Discord payloads through the fake gateway', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      classifier: running.service.host,
      store: running.service.store,
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  /** Lists the bot's requests that answer `dispatched` (an interaction or a message). */
  function answersTo(dispatched: Record<string, unknown>) {
    const { fake } = harness;
    if (dispatched.token) {
      return fake
        .requestsFor(dispatched)
        .filter(
          (request) => request.status < 300 && (request.body?.content || request.body?.embeds),
        );
    }
    return fake.requests.filter(
      (request) =>
        request.method === 'POST' &&
        (request.body?.message_reference as { message_id?: string } | undefined)?.message_id ===
          dispatched.id,
    );
  }

  function dispatch(entry: DiscordEntry): Record<string, unknown> {
    const { fake } = harness;
    const user = newUser('hostile');
    const text = { name: 'text', type: OPTION_TYPE.string, value: textOf(entry) };
    if (entry.kind === 'mention') {
      return fake.sendMessage({
        content: `<@${fake.botUser.id}> ${entry.content ?? ''}`,
        author: user,
        mentions: [fake.botUser],
      });
    }
    if (entry.kind === 'command') return fake.runCommand(entry.command as string, [text], { user });
    if (entry.kind === 'button') {
      return fake.pressButton(
        entry.customId as string,
        { id: '1', channel_id: fake.guild.id },
        { user },
      );
    }
    const bytes = bytesOf({
      id: entry.id,
      file: entry.file,
      contentType: 'image/png',
      expect: { status: 0 },
    });
    const attachment = fake.addAttachment(entry.name as string, bytes, {
      contentType: entry.attachmentType,
      declaredSize: entry.declaredSize,
    });
    if (entry.kind === 'digit-command') {
      return fake.runCommand(
        'digit',
        [{ name: 'image', type: OPTION_TYPE.attachment, value: attachment.id }],
        { user },
        [attachment],
      );
    }
    return fake.sendMessage({
      content: `<@${fake.botUser.id}>`,
      author: user,
      mentions: [fake.botUser],
      attachments: [attachment],
    });
  }

  for (const entry of manifest.discord) {
    it(entry.id, async (context) => {
      const needsModel = entry.kind.startsWith('digit') ? 'digits-mlp' : 'sentiment-en';
      if (entry.expect.reply !== 'any-or-none' && !loaded(needsModel) && !entry.expect.noDownload) {
        return context.skip(`needs ${needsModel}`);
      }
      const { fake } = harness;
      const dispatched = dispatch(entry);
      if (entry.expect.reply === 'any-or-none') {
        await new Promise((resolve) => setTimeout(resolve, 500));
        // Nothing is classified: an answer, if any, is a message without a result embed.
        const embeds = answersTo(dispatched).flatMap(
          (answer) => (answer.body?.embeds as unknown[] | undefined) ?? [],
        );
        expect(embeds).toEqual([]);
        return;
      }
      const [answer] = await fake.waitUntil(
        () => {
          const found = answersTo(dispatched);
          return found.length > 0 ? found : undefined;
        },
        30_000,
        `an answer to ${entry.id}`,
      );
      const embeds = (answer.body?.embeds ?? []) as { title?: string }[];
      if (entry.expect.reply === 'embed') expect(embeds.length).toBeGreaterThan(0);
      if (entry.expect.reply === 'content') expect(String(answer.body?.content ?? '')).not.toBe('');
      if (entry.expect.contains) {
        expect(JSON.stringify(answer.body)).toMatch(new RegExp(entry.expect.contains));
      }
      if (entry.expect.title) expect(embeds[0]?.title).toContain(entry.expect.title);
      if (entry.expect.allowedMentionsParse) {
        expect((answer.body?.allowed_mentions as { parse?: string[] })?.parse).toEqual(
          entry.expect.allowedMentionsParse,
        );
      }
      if (entry.expect.noDownload) {
        expect(fake.downloads.some((download) => download.includes(entry.name as string))).toBe(
          false,
        );
      }
    });
  }

  it('still answers a plain review after the corpus', async (context) => {
    if (!loaded('sentiment-en')) return context.skip('needs sentiment-en');
    const { fake } = harness;
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> a wonderful, moving film`,
      author: newUser('after'),
      mentions: [fake.botUser],
    });
    const replies = await fake.waitUntil(
      () => (answersTo(message).length > 0 ? answersTo(message) : undefined),
      30_000,
      'a reply after the corpus',
    );
    expect(replies[0].body?.embeds).toBeDefined();
  });
});
