/**
 * The soak run: the real service (shipped models) on a loopback socket and the real bot on the
 * fake Discord gateway, both in this process, take a fixed mix of requests from a few concurrent
 * clients: reviews in both languages, drawn digits, bad inputs over HTTP, and reviews and bad
 * inputs through Discord. Memory is sampled after a warm-up and at the end. Used by
 * test/soak/soak.test.ts (a short run) and scripts/soak.ts (the full 10,000 requests).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.ts';
import { closeKoreanAnalyzer } from '../../src/nlp/index.ts';
import { startServer, type RunningServer } from '../../src/server/index.ts';
import { newUser, startHarness, type Harness } from '../bot/harness.ts';
import { OPTION_TYPE, type RecordedRequest } from '../fake-discord/index.ts';
import {
  loadWorkload,
  relativeChange,
  sampleMemory,
  type MemorySample,
  type Workload,
} from './workload.ts';

export type RequestKind =
  | 'en-review'
  | 'ko-review'
  | 'digit'
  | 'bad-json'
  | 'empty-text'
  | 'blank-image'
  | 'not-an-image'
  | 'discord-review'
  | 'discord-empty-text';

/** One cycle of the mix: 13 good HTTP requests, 4 bad ones, 3 through Discord. */
const CYCLE: RequestKind[] = [
  'en-review',
  'ko-review',
  'digit',
  'en-review',
  'ko-review',
  'bad-json',
  'en-review',
  'discord-review',
  'digit',
  'ko-review',
  'empty-text',
  'en-review',
  'digit',
  'blank-image',
  'ko-review',
  'discord-review',
  'en-review',
  'not-an-image',
  'digit',
  'discord-empty-text',
];

/** Status each HTTP kind must get. Any other status is an unexpected error. */
const EXPECTED_STATUS: Partial<Record<RequestKind, number>> = {
  'en-review': 200,
  'ko-review': 200,
  digit: 200,
  'bad-json': 400,
  'empty-text': 400,
  'blank-image': 422,
  'not-an-image': 400,
};

/** Memory samples taken over the run, besides the one after the warm-up. */
const SAMPLE_COUNT = 10;

export interface SoakOptions {
  requests: number;
  /** Models to serve; MODELS_DIR's default (the shipped models) when undefined. */
  modelsDir?: string;
  warmUp?: number;
  concurrency?: number;
}

export interface SoakReport {
  requests: number;
  seconds: number;
  counts: Partial<Record<RequestKind, number>>;
  /** Requests whose outcome was not the expected answer or rejection, with what happened. */
  unexpected: string[];
  start: MemorySample;
  end: MemorySample;
  /** Memory after the warm-up and after each tenth of the run. */
  samples: (MemorySample & { requests: number })[];
  rssChange: number;
  tensorChange: number;
  models: string[];
}

interface Context {
  running: RunningServer;
  harness: Harness;
  workload: Workload;
  blank: Uint8Array<ArrayBuffer>;
}

async function postJson(url: string, body: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

async function postImage(url: string, bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'image/png' },
    body: bytes,
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Discord users of the run. A fixed pool, as regular users of one server would be: a fresh user
 * per message would grow discord.js's user cache, which measures the cache, not nunchi.
 */
const USERS = Array.from({ length: 16 }, (_, i) => newUser(`soak-${i}`));

/** Sends a Discord request and resolves once the bot has answered it. */
async function viaDiscord(
  context: Context,
  kind: RequestKind,
  text: string,
  i: number,
): Promise<void> {
  const { fake } = context.harness;
  const user = USERS[i % USERS.length];
  if (kind === 'discord-review') {
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> ${text}`,
      author: user,
      mentions: [fake.botUser],
    });
    const reply = await fake.waitUntil(
      () =>
        fake.requests.find(
          (request) =>
            request.method === 'POST' &&
            (request.body?.message_reference as { message_id?: string } | undefined)?.message_id ===
              message.id,
        ),
      30_000,
      `a reply to message ${String(message.id)}`,
    );
    if (!Array.isArray(reply.body?.embeds) || reply.body.embeds.length === 0) {
      throw new Error(`reply without an embed: ${JSON.stringify(reply.body).slice(0, 200)}`);
    }
    return;
  }
  const interaction = fake.runCommand(
    'sentiment',
    [{ name: 'text', type: OPTION_TYPE.string, value: '\u200b\u200b' }],
    { user },
  );
  // The fake keeps few records in a long run, so the requests of this interaction are noted here.
  const seen: string[] = [];
  const note = (request: RecordedRequest) => {
    if (request.path.includes(`/${String(interaction.token)}`)) {
      seen.push(`${request.method} ${request.path.split('/').at(-1)} ${request.status}`);
    }
  };
  fake.on('request', note);
  const answer = await fake
    .waitUntil(
      () =>
        fake
          .requestsFor(interaction)
          .find((request) => request.status < 300 && request.body?.content),
      30_000,
      `an answer to interaction ${String(interaction.id)}`,
    )
    .catch((error: Error) => {
      throw new Error(`${error.message}; its requests: ${seen.join(', ') || 'none'}`);
    })
    .finally(() => fake.off('request', note));
  if (answer.body?.embeds && (answer.body.embeds as unknown[]).length > 0) {
    throw new Error('an empty text got a sentiment embed instead of an error message');
  }
}

async function send(context: Context, kind: RequestKind, i: number): Promise<string | undefined> {
  const { url } = context.running;
  const { english, korean, digits } = context.workload;
  let status: number;
  switch (kind) {
    case 'en-review':
      status = await postJson(
        `${url}/api/sentiment`,
        JSON.stringify({ text: english[i % english.length], lang: 'en' }),
      );
      break;
    case 'ko-review':
      status = await postJson(
        `${url}/api/sentiment`,
        JSON.stringify({ text: korean[i % korean.length], lang: 'ko' }),
      );
      break;
    case 'digit':
      status = await postImage(`${url}/api/digit`, digits[i % digits.length]);
      break;
    case 'bad-json':
      status = await postJson(`${url}/api/sentiment`, '{"text": "unterminated');
      break;
    case 'empty-text':
      status = await postJson(`${url}/api/sentiment`, JSON.stringify({ text: ' \u200b ' }));
      break;
    case 'blank-image':
      status = await postImage(`${url}/api/digit`, context.blank);
      break;
    case 'not-an-image':
      status = await postImage(`${url}/api/digit`, new TextEncoder().encode(`not a png ${i}`));
      break;
    default:
      await viaDiscord(context, kind, english[i % english.length].slice(0, 1500), i);
      return undefined;
  }
  const expected = EXPECTED_STATUS[kind];
  return status === expected ? undefined : `${kind} #${i}: status ${status}, expected ${expected}`;
}

/** Runs `count` requests of the mix from `concurrency` clients; returns the failures. */
async function drive(
  context: Context,
  kinds: RequestKind[],
  offset: number,
  count: number,
  concurrency: number,
  counts: Partial<Record<RequestKind, number>>,
): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const client = async () => {
    for (let i = next++; i < count; i = next++) {
      const kind = kinds[(offset + i) % kinds.length];
      counts[kind] = (counts[kind] ?? 0) + 1;
      try {
        const failure = await send(context, kind, offset + i);
        if (failure) failures.push(failure);
      } catch (error) {
        failures.push(`${kind} #${offset + i}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return failures;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-soak-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    MODELS_DIR: options.modelsDir,
    TF_BACKEND: 'wasm',
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(`unhandled rejection: ${String(reason)}`);
  process.on('unhandledRejection', onUnhandled);
  const running = await startServer({ config, web: false, port: 0, hostname: '127.0.0.1' });
  let harness: Harness | undefined;
  try {
    const { host, store } = running.service;
    // The fake keeps only its newest records, so its own memory stays flat over a long run.
    harness = await startHarness({ classifier: host, store, fake: { maxRecords: 50 } });
    const models = host.describeModels().map((model) => model.name);
    const kinds = CYCLE.filter(
      (kind) =>
        (kind !== 'ko-review' || models.includes('sentiment-ko')) &&
        (!kind.includes('review') || kind === 'ko-review' || models.includes('sentiment-en')) &&
        (kind !== 'digit' || models.some((name) => name.startsWith('digits-'))),
    );
    const workload = await loadWorkload();
    const context: Context = { running, harness, workload, blank: await blankImage() };
    const concurrency = options.concurrency ?? 8;
    const warmUpCounts = {};
    const warmUp = options.warmUp ?? 400;
    const warmUpFailures = await drive(context, kinds, 0, warmUp, concurrency, warmUpCounts);
    const liveTensors = () => tf.memory().numTensors;
    const start = await sampleMemory(liveTensors);
    const counts: Partial<Record<RequestKind, number>> = {};
    const began = performance.now();
    const failures: string[] = [];
    const samples = [{ requests: 0, ...start }];
    const chunk = Math.ceil(options.requests / SAMPLE_COUNT);
    for (let done = 0; done < options.requests; done += chunk) {
      const size = Math.min(chunk, options.requests - done);
      failures.push(...(await drive(context, kinds, warmUp + done, size, concurrency, counts)));
      samples.push({ requests: done + size, ...(await sampleMemory(liveTensors)) });
    }
    const seconds = (performance.now() - began) / 1000;
    const end = samples.at(-1) as MemorySample;
    return {
      requests: options.requests,
      seconds,
      counts,
      unexpected: [...warmUpFailures, ...failures, ...unhandled],
      start,
      end,
      samples,
      rssChange: relativeChange(start.rssBytes, end.rssBytes),
      tensorChange: relativeChange(start.liveTensors, end.liveTensors),
      models,
    };
  } finally {
    await harness?.stop();
    await running.close();
    await closeKoreanAnalyzer();
    process.off('unhandledRejection', onUnhandled);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function blankImage(): Promise<Uint8Array<ArrayBuffer>> {
  const sharp = (await import('sharp')).default;
  const png = await sharp({
    create: { width: 64, height: 64, channels: 3, background: '#ffffff' },
  })
    .png()
    .toBuffer();
  return Uint8Array.from(png);
}
