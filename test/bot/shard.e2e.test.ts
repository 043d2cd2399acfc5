/**
 * Sharded start: the ShardingManager forks the real shard process script against the fake Discord
 * server, one process per group of gateway shards. Each guild's events reach the process that
 * runs the guild's shard.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import {
  groupShards,
  resolveShardCount,
  type ShardManagerHandle,
  startShardManager,
} from '../../src/bot/shard.ts';
import { loadConfig } from '../../src/core/config.ts';
import { FakeDiscord, type RecordedRequest, shardForGuild } from '../fake-discord/index.ts';
import { openStore } from '../../src/store/index.ts';
import { buttonIds, newUser, waitForCallback, waitForReplyTo } from './harness.ts';

const hasEnglishModel = existsSync(path.join(loadConfig({}).modelsDir, 'sentiment-en'));

describe('groupShards', () => {
  it.each([
    [
      4,
      2,
      [
        [0, 1],
        [2, 3],
      ],
    ],
    [5, 2, [[0, 1], [2, 3], [4]]],
    [3, 8, [[0, 1, 2]]],
    [2, 0, [[0], [1]]],
  ])('splits %i shards %i per process', (total, perProcess, expected) => {
    expect(groupShards(total, perProcess)).toEqual(expected);
  });
});

describe('sharded bot', () => {
  let fake: FakeDiscord;
  let handle: ShardManagerHandle;
  let dataDir: string;

  beforeAll(async () => {
    fake = await FakeDiscord.start({ recommendedShards: 2 });
    dataDir = mkdtempSync(path.join(tmpdir(), 'nunchi-shards-'));
    const env = {
      DISCORD_API_BASE: fake.apiBase,
      DISCORD_GUILD_ID: fake.guild.id,
      DATA_DIR: dataDir,
      BOT_COOLDOWN_SECONDS: '0',
      LOG_LEVEL: 'warn',
      TF_BACKEND: 'cpu',
    };
    const config = loadConfig({ ...env, DISCORD_TOKEN: fake.token });
    handle = await startShardManager({
      config,
      env,
      shardsPerProcess: 1,
      spawnDelayMs: 0,
      logger: pino({ level: 'silent' }),
    });
  }, 120_000);

  afterAll(async () => {
    await handle?.stop();
    await fake?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the recommended count from the REST base', async () => {
    const config = loadConfig({ DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token });
    expect(await resolveShardCount(config, fake.token)).toBe(2);
    const fixed = loadConfig({ DISCORD_API_BASE: fake.apiBase, SHARD_COUNT: '6' });
    expect(await resolveShardCount(fixed, fake.token)).toBe(6);
  });

  it('runs one process per shard group', () => {
    expect(handle.groups).toEqual([[0], [1]]);
    expect(handle.manager.shards.size).toBe(2);
    const pids = [...handle.manager.shards.values()].map((shard) => shard.process?.pid);
    expect(new Set(pids).size).toBe(2);
    const identified = fake.frames
      .filter((frame) => frame.op === 2)
      .map((frame) => (frame.d as { shard: number[] }).shard);
    expect(identified).toContainEqual([0, 2]);
    expect(identified).toContainEqual([1, 2]);
  });

  it('registers commands from the first shard only', () => {
    const puts = fake.requests.filter(
      (request) => request.method === 'PUT' && request.path.endsWith('/commands'),
    );
    expect(puts).toHaveLength(1);
  });

  it('replies from the owning shard', async () => {
    const owner = shardForGuild(fake.guild.id, 2);
    expect([0, 1]).toContain(owner);
    const guildMessage = fake.sendMessage({
      content: `<@${fake.botUser.id}> hello there`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const direct = fake.sendMessage({ content: 'hello', author: newUser(), guildId: undefined });
    const guildReply = await waitForReplyTo(fake, guildMessage, 30_000);
    const directReply = await waitForReplyTo(fake, direct, 30_000);
    expect(guildReply.status).toBe(200);
    expect(directReply.status).toBe(200);
  });

  it.skipIf(!hasEnglishModel)(
    `stores feedback from two processes${hasEnglishModel ? '' : ' (skipped: no sentiment-en model in MODELS_DIR)'}`,
    async () => {
      // The guild's shard and shard 0 (direct messages) run in different processes.
      expect(shardForGuild(fake.guild.id, 2)).toBe(1);
      const rate = async (guildId: string | undefined, review: string) => {
        const user = newUser();
        const message = fake.sendMessage({
          content: guildId ? `<@${fake.botUser.id}> ${review}` : review,
          author: user,
          mentions: guildId ? [fake.botUser] : [],
          guildId,
        });
        const reply: RecordedRequest = await waitForReplyTo(fake, message, 30_000);
        const up = buttonIds(reply).find((id) => id.startsWith('fb:up:'));
        expect(up).toBeDefined();
        const press = fake.pressButton(String(up), reply.response as Record<string, unknown>, {
          user,
          guildId,
        });
        const callback = await waitForCallback(fake, press, 30_000);
        expect(String((callback.body?.data as { content: string }).content)).toContain('stored');
      };
      await Promise.all([
        rate(fake.guild.id, 'a wonderful film, I loved it'),
        rate(undefined, 'a wonderful story, I loved it'),
      ]);
      const store = openStore(dataDir);
      try {
        const texts = store.listFeedback('sentiment-en').map((row) => row.text);
        expect(texts).toContain('a wonderful film, I loved it');
        expect(texts).toContain('a wonderful story, I loved it');
      } finally {
        store.close();
      }
    },
  );
});
