import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import { MAX_UPLOAD_BYTES } from '../../src/server/body.ts';
import { openStore, type Job } from '../../src/store/index.ts';
import { ADMIN_TOKEN, authHeader, createModelDirs } from './fixtures/service.ts';

const SERVE = path.join(PROJECT_ROOT, 'test/server/fixtures/serve.ts');

interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
}

/** Starts the fixture server in a child process and resolves once it listens. */
function startServerProcess(args: string[]): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVE, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1], port: Number(new URL(match[1]).port) });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${errors}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

/** Sends raw bytes over a socket and returns the status line's code, or 0 on a reset. */
function rawRequest(
  port: number,
  head: string,
  body?: (socket: net.Socket) => void,
): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    socket.on('connect', () => {
      socket.write(head);
      body?.(socket);
    });
    socket.on('data', (chunk) => {
      response += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(response);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', () => resolve(0));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0)));
  });
}

async function waitForJob(url: string, id: string, states: Job['state'][]): Promise<Job> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = (await (
      await fetch(`${url}/admin/jobs/${id}`, { headers: authHeader })
    ).json()) as Job;
    if (states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function retrain(url: string, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${url}/admin/retrain`, {
    method: 'POST',
    headers: { ...authHeader, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
}

describe('server over a loopback socket', () => {
  let dirs: Awaited<ReturnType<typeof createModelDirs>>;
  let server: ServerProcess;

  beforeAll(async () => {
    dirs = await createModelDirs();
    server = await startServerProcess(['--data-dir', dirs.dataDir, '--models-dir', dirs.modelsDir]);
  });

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    if (server) await exited(server.child);
    rmSync(dirs.root, { recursive: true, force: true });
  });

  it.each([
    ['no header', 401, ''],
    [
      'wrong token of equal length',
      401,
      `Authorization: Bearer ${ADMIN_TOKEN.replace(/.$/, '#')}\r\n`,
    ],
    ['wrong token of other length', 401, 'Authorization: Bearer abc\r\n'],
    [
      'Basic scheme',
      401,
      `Authorization: Basic ${Buffer.from(`a:${ADMIN_TOKEN}`).toString('base64')}\r\n`,
    ],
    ['lowercase bearer', 200, `Authorization: bearer ${ADMIN_TOKEN}\r\n`],
    ['trailing space', 200, `Authorization: Bearer ${ADMIN_TOKEN} \r\n`],
    ['correct token', 200, `Authorization: Bearer ${ADMIN_TOKEN}\r\n`],
  ])('auth with %s answers %i', async (_case, status, header) => {
    const head = `GET /admin/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n${header}Connection: close\r\n\r\n`;
    expect(await rawRequest(server.port, head)).toBe(status);
  });

  it('rejects a chunked upload over 50 MB without reading it all', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const head =
      'POST /api/digit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n' +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const status = await rawRequest(server.port, head, (socket) => {
      let sent = 0;
      const pump = () => {
        while (sent <= MAX_UPLOAD_BYTES + chunk.length && !socket.destroyed) {
          sent += chunk.length;
          socket.write(`${chunk.length.toString(16)}\r\n`);
          socket.write(chunk);
          if (!socket.write('\r\n')) return socket.once('drain', pump);
        }
      };
      pump();
    });
    expect(status).toBe(413);
  });

  it('rejects a false Content-Length that is not a number', async () => {
    const head =
      'POST /api/sentiment HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Content-Length: abc\r\nConnection: close\r\n\r\n{"text":"good"}';
    // Node's HTTP parser rejects the header before the app receives the request.
    expect(await rawRequest(server.port, head)).toBe(400);
    const after = await fetch(`${server.url}/healthz`);
    expect(after.status).toBe(200);
  });

  it('answers 409 to a concurrent retrain of one model', async () => {
    const send = () =>
      fetch(`${server.url}/admin/retrain`, {
        method: 'POST',
        headers: { ...authHeader, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'sentiment-en', epochs: 100 }),
      });
    const responses = await Promise.all([send(), send()]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([202, 409]);
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as {
      jobId: string;
    }[];
    expect(bodies[0].jobId).toBe(bodies[1].jobId);
    const cancel = await fetch(`${server.url}/admin/jobs/${bodies[0].jobId}/cancel`, {
      method: 'POST',
      headers: authHeader,
    });
    expect(cancel.status).toBe(202);
    const job = await waitForJob(server.url, bodies[0].jobId, ['cancelled', 'succeeded', 'failed']);
    expect(job.state).toBe('cancelled');
  });

  it('completes a retrain, streams it and promotes the version', async () => {
    const jobId = await retrain(server.url, { model: 'digits-mlp', epochs: 8 });
    const events = await fetch(`${server.url}/admin/jobs/${jobId}/events`, { headers: authHeader });
    const text = await events.text();
    expect(text).toContain('event: progress');
    expect(text).toMatch(/"state":"succeeded"/);
    const job = await waitForJob(server.url, jobId, ['succeeded', 'failed']);
    expect(job.result?.promoted).toBe(true);
    const answer = await fetch(`${server.url}/api/digit`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: new Uint8Array([1, 2, 3, 4, 5]),
    });
    expect(((await answer.json()) as { modelVersion: string }).modelVersion).toBe(
      job.result?.version,
    );
  });
});

describe('server killed during promotion', () => {
  it('serves the old version after a restart and marks the job interrupted', async () => {
    const dirs = await createModelDirs();
    const pauseFile = path.join(dirs.root, 'paused');
    const args = ['--data-dir', dirs.dataDir, '--models-dir', dirs.modelsDir];
    let server = await startServerProcess([...args, '--pause-after-switch', pauseFile]);
    try {
      const jobId = await retrain(server.url, { model: 'sentiment-ko', epochs: 10 });
      const deadline = Date.now() + 30_000;
      while (!existsSync(pauseFile)) {
        if (Date.now() > deadline) throw new Error('the job never reached promotion');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // CURRENT already names the new version at this point.
      const current = path.join(dirs.dataDir, 'models', 'sentiment-ko', 'CURRENT');
      const { readFileSync } = await import('node:fs');
      const newVersion = readFileSync(current, 'utf8').trim();
      expect(newVersion).not.toBe('v1');
      server.child.kill('SIGKILL');
      await exited(server.child);

      server = await startServerProcess(args);
      const answer = await fetch(`${server.url}/api/sentiment`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: '좋아요', lang: 'ko' }),
      });
      expect(((await answer.json()) as { modelVersion: string }).modelVersion).toBe('v1');
      const job = (await (
        await fetch(`${server.url}/admin/jobs/${jobId}`, { headers: authHeader })
      ).json()) as Job;
      expect(job.state).toBe('interrupted');
      const models = (await (
        await fetch(`${server.url}/admin/models`, { headers: authHeader })
      ).json()) as {
        models: {
          name: string;
          serving: string;
          versions: { version: string; status: string }[];
        }[];
      };
      const entry = models.models.find((model) => model.name === 'sentiment-ko');
      expect(entry?.serving).toBe('v1');
      expect(entry?.versions.find((v) => v.version === newVersion)?.status).not.toBe('serving');
      const leftovers = readdirSync(path.join(dirs.dataDir, 'models', 'sentiment-ko'));
      expect(leftovers.filter((name) => name.startsWith('.staging-'))).toEqual([]);
    } finally {
      server.child.kill('SIGKILL');
      await exited(server.child);
      rmSync(dirs.root, { recursive: true, force: true });
    }
  });

  it('records a running job as interrupted on SIGTERM and exits cleanly', async () => {
    const dirs = await createModelDirs();
    const server = await startServerProcess([
      '--data-dir',
      dirs.dataDir,
      '--models-dir',
      dirs.modelsDir,
    ]);
    try {
      const jobId = await retrain(server.url, { model: 'digits-mlp', epochs: 200 });
      const deadline = Date.now() + 30_000;
      let running = await waitForJob(server.url, jobId, ['running']);
      while (running.progress?.phase !== 'training' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        running = await waitForJob(server.url, jobId, ['running']);
      }
      expect(running.progress?.phase).toBe('training');
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
      const store = openStore(dirs.dataDir);
      const job = store.getJob(jobId);
      store.close();
      expect(job?.state).toBe('interrupted');
      expect(job?.progress?.phase).toBe('training');
      expect(job?.progress?.epoch).toBeGreaterThan(0);
    } finally {
      server.child.kill('SIGKILL');
      rmSync(dirs.root, { recursive: true, force: true });
    }
  });
});
