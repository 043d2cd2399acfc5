/**
 * End-to-end tests of settings that need their own bot: the Message Content intent turned off,
 * a per-user cooldown, and a lowered image size cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotStore } from '../../src/bot/index.ts';
import { OPTION_TYPE } from '../fake-discord/index.ts';
import { createFakeClassifier, type FakeClassifier } from './fake-classifier.ts';
import {
  firstEmbed,
  type Harness,
  newUser,
  startHarness,
  waitForCallback,
  waitForEdit,
  waitForReplyTo,
} from './harness.ts';

/** Creates an in-memory store that records what the bot writes. */
function memoryStore(): BotStore & { feedback: unknown[]; optOuts: Set<string> } {
  const feedback: unknown[] = [];
  const optOuts = new Set<string>();
  return {
    feedback,
    optOuts,
    recordFeedback(entry) {
      feedback.push(entry);
      return { id: feedback.length };
    },
    setOptOut(scope, id, optedOut) {
      if (optedOut) optOuts.add(`${scope}:${id}`);
      else optOuts.delete(`${scope}:${id}`);
    },
    isOptedOut: (scope, id) => optOuts.has(`${scope}:${id}`),
    audit() {},
  };
}

describe('without the Message Content intent', () => {
  let harness: Harness;
  let classifier: FakeClassifier;

  beforeAll(async () => {
    classifier = createFakeClassifier();
    harness = await startHarness({
      classifier,
      store: memoryStore(),
      fake: { applicationFlags: 0 },
    });
  });
  afterAll(() => harness?.stop());

  it('identifies without the privileged intent', () => {
    const identify = harness.fake.frames.find((frame) => frame.op === 2);
    expect(Number((identify?.d as { intents: number }).intents) & (1 << 15)).toBe(0);
    expect(harness.bot.messageContent).toBe(false);
    expect(harness.logs.some((line) => line.includes('Privileged Gateway Intents'))).toBe(true);
  });

  it('still answers a mention, whose content Discord keeps', async () => {
    const { fake } = harness;
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> the plot was boring`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const reply = await waitForReplyTo(fake, message);
    expect(firstEmbed(reply).title).toBe('Sentiment: Negative');
  });

  it('points to slash commands for a reply without content', async () => {
    const { fake } = harness;
    const calls = classifier.sentimentCalls.length;
    const earlier = fake.sendMessage({ content: 'answer', author: fake.botUser });
    const first = fake.sendMessage({ content: 'really good', author: newUser(), replyTo: earlier });
    const second = fake.sendMessage({ content: 'so good', author: newUser(), replyTo: earlier });
    const reply = await waitForReplyTo(fake, first);
    await waitForReplyTo(fake, second);
    expect(String(reply.body?.content)).toContain('/감정분석');
    expect(classifier.sentimentCalls.length).toBe(calls);
    const hints = harness.logs.filter((line) => line.includes('arrived without content'));
    expect(hints).toHaveLength(1);
  });
});

describe('cooldown', () => {
  let harness: Harness;
  let classifier: FakeClassifier;

  beforeAll(async () => {
    classifier = createFakeClassifier();
    harness = await startHarness({
      classifier,
      store: memoryStore(),
      env: { BOT_COOLDOWN_SECONDS: '30' },
    });
  });
  afterAll(() => harness?.stop());

  it('rejects a second request of the same user', async () => {
    const { fake } = harness;
    const user = newUser();
    const option = [{ name: 'text', type: OPTION_TYPE.string, value: 'good' }];
    const first = fake.runCommand('sentiment', option, { user });
    await waitForEdit(fake, first);
    const second = fake.runCommand('sentiment', option, { user, locale: 'ko' });
    const callback = await waitForCallback(fake, second);
    expect(callback.body?.type).toBe(4);
    const data = callback.body?.data as { content: string; flags: number };
    expect(data.flags & 64).toBe(64);
    expect(data.content).toMatch(/^다음 요청까지 (29|30)초 기다려 주세요\.$/);
    expect(classifier.sentimentCalls).toEqual(['good']);
  });

  it('lets another user through', async () => {
    const { fake } = harness;
    const option = [{ name: 'text', type: OPTION_TYPE.string, value: 'great' }];
    const interaction = fake.runCommand('sentiment', option, { user: newUser() });
    const edit = await waitForEdit(fake, interaction);
    expect(firstEmbed(edit).title).toBe('Sentiment: Positive');
  });
});

describe('image size cap on the download stream', () => {
  let harness: Harness;
  let classifier: FakeClassifier;

  beforeAll(async () => {
    classifier = createFakeClassifier();
    harness = await startHarness({
      classifier,
      store: memoryStore(),
      limits: { maxImageBytes: 1000 },
    });
  });
  afterAll(() => harness?.stop());

  it('aborts a download larger than its declared size', async () => {
    const { fake } = harness;
    const attachment = fake.addAttachment('liar.png', new Uint8Array(50_000), {
      declaredSize: 10,
      contentLength: false,
    });
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> read this`,
      author: newUser(),
      mentions: [fake.botUser],
      attachments: [attachment],
    });
    const reply = await waitForReplyTo(fake, message);
    expect(fake.downloads).toContain(new URL(attachment.url).pathname);
    expect(String(reply.body?.content)).toContain('too large');
    expect(classifier.digitCalls).toEqual([]);
  });
});

describe('SHARD_COUNT in one process', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      classifier: createFakeClassifier(),
      store: memoryStore(),
      env: { SHARD_COUNT: '2' },
    });
  });
  afterAll(() => harness?.stop());

  it('connects every shard and answers on the owning one', async () => {
    const { fake } = harness;
    const shards = fake.gateway.connectedSessions().map((session) => session.shard);
    expect(shards).toContainEqual([0, 2]);
    expect(shards).toContainEqual([1, 2]);
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> good`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const reply = await waitForReplyTo(fake, message);
    expect(firstEmbed(reply).title).toBe('Sentiment: Positive');
  });
});
