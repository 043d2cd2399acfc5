/**
 * @module `npm run bench -- http [--duration=10] [--connections=50] [--train-model=digits-mlp]
 * [--models-dir=PATH]` load-tests POST /api/sentiment and POST /api/digit over loopback with
 * autocannon. The server is the real `src/main.ts` in a child process, with a temporary DATA_DIR
 * and the shipped models. Each endpoint runs idle, then while a retraining job runs, and the table
 * gives p50/p95/p99 latency and throughput. The target is a p95 during training within 2x of idle.
 * autocannon runs in this process, on the same CPUs as the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import type { BenchSection } from './index.ts';

interface Options {
  duration: number;
  connections: number;
  trainModel: string;
  /** Shipped models directory for the server; MODELS_DIR's default when undefined. */
  modelsDir?: string;
}

interface Measurement {
  endpoint: string;
  condition: 'idle' | 'training';
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
}

interface Target {
  endpoint: string;
  contentType: string;
  body: Buffer;
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  return {
    duration: Number(value('duration') ?? 10),
    connections: Number(value('connections') ?? 50),
    trainModel: value('train-model') ?? 'digits-mlp',
    modelsDir: value('models-dir'),
  };
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** Starts `npm start`'s entry in a child process and resolves with its URL. */
function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(log);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) =>
      reject(new Error(`server exited with ${code}: ${log.slice(-2000)}`)),
    );
  });
}

async function measure(
  url: string,
  target: Target,
  condition: Measurement['condition'],
  options: Options,
): Promise<Measurement> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}${target.endpoint}`,
        method: 'POST',
        connections: options.connections,
        duration: options.duration,
        headers: { 'content-type': target.contentType },
        body: target.body,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    endpoint: target.endpoint,
    condition,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Sends one request and throws with the response body unless the status is 200. */
async function probe(url: string, target: Target): Promise<void> {
  const response = await fetch(`${url}${target.endpoint}`, {
    method: 'POST',
    headers: { 'content-type': target.contentType },
    body: new Uint8Array(target.body),
  });
  if (response.status !== 200) {
    throw new Error(`${target.endpoint} returned ${response.status}: ${await response.text()}`);
  }
}

async function digitImage(): Promise<Buffer> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120">' +
    '<rect width="120" height="120" fill="white"/>' +
    '<path d="M30 25 L90 25 L55 100" stroke="black" stroke-width="10" fill="none"/></svg>';
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function adminFetch(url: string, token: string, route: string, body?: unknown) {
  const response = await fetch(`${url}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Starts a long retraining job and waits until its training phase reports progress. */
async function startTraining(url: string, token: string, model: string): Promise<string> {
  const { jobId, error } = await adminFetch(url, token, '/admin/retrain', { model, epochs: 50 });
  if (typeof jobId !== 'string') throw new Error(`retrain failed: ${JSON.stringify(error)}`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await adminFetch(url, token, `/admin/jobs/${jobId}`);
    const progress = job.progress as { phase?: string } | undefined;
    if (job.state === 'running' && progress?.phase === 'training') return jobId;
    if (job.state !== 'queued' && job.state !== 'running') {
      throw new Error(`training job ended before the measurement: ${JSON.stringify(job)}`);
    }
    if (Date.now() > deadline) throw new Error('training job did not start within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function renderTable(measurements: Measurement[]): string {
  const rows = measurements.map(
    (m) =>
      `| ${m.endpoint} | ${m.condition} | ${m.requestsPerSecond.toFixed(0)} | ${m.p50.toFixed(1)} | ${m.p95.toFixed(1)} | ${m.p99.toFixed(1)} | ${m.non2xx} | ${m.errors} |`,
  );
  return [
    '| endpoint | condition | req/s | p50 ms | p95 ms | p99 ms | non-2xx | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export default async function httpBenchmark(args: string[]): Promise<BenchSection> {
  const options = parseOptions(args);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-bench-http-'));
  const token = randomBytes(24).toString('hex');
  const { child, url } = await startServer({
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_TOKEN: token,
    RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'info',
    DISCORD_TOKEN: '',
    ...(options.modelsDir ? { MODELS_DIR: path.resolve(options.modelsDir) } : {}),
  });
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  try {
    const health = (await (await fetch(`${url}/healthz`)).json()) as { models: { name: string }[] };
    const loaded = new Set(health.models.map((model) => model.name));
    const targets: Target[] = [];
    if (loaded.has('sentiment-ko') || loaded.has('sentiment-en')) {
      const korean = loaded.has('sentiment-ko');
      const text = korean
        ? '배우들 연기가 정말 좋았고 결말도 마음에 들었다'
        : 'The actors were great and I loved the ending of this film';
      targets.push({
        endpoint: '/api/sentiment',
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify({ text, lang: korean ? 'ko' : 'en' })),
      });
    } else {
      notes.push('/api/sentiment skipped: no sentiment model is shipped under MODELS_DIR.');
    }
    if (loaded.has('digits-cnn') || loaded.has('digits-mlp')) {
      targets.push({ endpoint: '/api/digit', contentType: 'image/png', body: await digitImage() });
    } else {
      notes.push('/api/digit skipped: no digit model is shipped under MODELS_DIR.');
    }
    for (const target of targets) await probe(url, target);
    for (const target of targets) measurements.push(await measure(url, target, 'idle', options));
    const jobId = await startTraining(url, token, options.trainModel);
    for (const target of targets)
      measurements.push(await measure(url, target, 'training', options));
    const job = await adminFetch(url, token, `/admin/jobs/${jobId}`);
    if (job.state !== 'running') {
      notes.push(`The training job was ${String(job.state)} before the last measurement ended.`);
    }
    await adminFetch(url, token, `/admin/jobs/${jobId}/cancel`, {});
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }

  const ratios = measurements
    .filter((m) => m.condition === 'training')
    .map((during) => {
      const idle = measurements.find(
        (m) => m.endpoint === during.endpoint && m.condition === 'idle',
      );
      const ratio = idle ? during.p95 / idle.p95 : Number.NaN;
      return `${during.endpoint}: p95 during training / idle = ${ratio.toFixed(2)}x (target at most 2x)`;
    });
  const markdown = [
    `${options.connections} connections, ${options.duration} s per run, POST over loopback with ` +
      `autocannon in the bench process; the training job retrains ${options.trainModel} ` +
      'in the child process the admin API forks (nice 10). Latency percentiles count 2xx answers only.',
    '',
    renderTable(measurements),
    '',
    ...ratios.map((line) => `- ${line}`),
    ...notes.map((line) => `- ${line}`),
  ].join('\n');
  return {
    title: 'HTTP API under load, idle and while training',
    markdown,
    data: { options, measurements, notes },
  };
}
