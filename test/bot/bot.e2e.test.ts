/**
 * End-to-end tests: a real discord.js client (through startBot) against the fake Discord gateway
 * and REST API on 127.0.0.1, with a fake classifier and the real SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NunchiError } from '../../src/core/errors.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { OPTION_TYPE, type RecordedRequest } from '../fake-discord/index.ts';
import { createFakeClassifier, DEBUG_PNG, type FakeClassifier } from './fake-classifier.ts';
import {
  buttonIds,
  embedLength,
  firstEmbed,
  type Harness,
  newUser,
  startHarness,
  waitForCallback,
  waitForEdit,
  waitForReplyTo,
} from './harness.ts';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

let harness: Harness;
let classifier: FakeClassifier;
let store: Store;
let dataDir: string;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  dataDir = mkdtempSync(path.join(tmpdir(), 'nunchi-bot-'));
  store = openStore(dataDir);
  classifier = createFakeClassifier();
  harness = await startHarness({ classifier, store });
});

afterAll(async () => {
  await harness?.stop();
  store?.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.off('unhandledRejection', onUnhandled);
});

const text = (value: string) => ({ name: 'text', type: OPTION_TYPE.string, value });
const firstEmbedTitle = (request: RecordedRequest) =>
  (request.body?.embeds as { title?: string }[] | undefined)?.[0]?.title;

describe('startup', () => {
  it('registers guild commands with Korean names', () => {
    const commands = harness.fake.commands.get(harness.fake.guild.id) ?? [];
    const names = commands.map((command) => command.name);
    expect(names).toEqual(['sentiment', 'digit', 'model', 'help', 'privacy']);
    const sentiment = commands.find((command) => command.name === 'sentiment');
    expect(sentiment?.name_localizations).toEqual({ ko: '감정분석' });
    expect((sentiment?.description_localizations as { ko: string }).ko).toMatch(/긍정/);
  });

  it('identifies with the Message Content intent when enabled', () => {
    const identify = harness.fake.frames.find((frame) => frame.op === 2);
    expect(identify).toBeDefined();
    expect(Number((identify?.d as { intents: number }).intents) & (1 << 15)).not.toBe(0);
    expect(harness.bot.messageContent).toBe(true);
  });
});

describe('/sentiment', () => {
  it('answers in Korean for a Korean locale', async () => {
    const { fake } = harness;
    const interaction = fake.runCommand('sentiment', [text('이 영화 진짜 별로였어')], {
      user: newUser(),
      locale: 'ko',
    });
    const callback = await waitForCallback(fake, interaction);
    expect(callback.body?.type).toBe(5);
    const edit = await waitForEdit(fake, interaction);
    const embed = firstEmbed(edit);
    expect(embed.title).toBe('감정: 부정');
    expect(embed.fields?.[0].value).toMatch(/^█+░* \d+%$/);
    expect(embed.fields?.map((field) => field.value)).toContain('한국어');
    expect(embed.fields?.[3].value).toContain('`별로였어`');
    expect(buttonIds(edit).some((id) => id.startsWith('fb:up:'))).toBe(true);
    expect(classifier.sentimentCalls.at(-1)).toBe('이 영화 진짜 별로였어');
  });

  it('answers in English for an English locale', async () => {
    const { fake } = harness;
    const interaction = fake.runCommand('sentiment', [text('The acting was superb')], {
      user: newUser(),
      locale: 'en-US',
    });
    const edit = await waitForEdit(fake, interaction);
    const embed = firstEmbed(edit);
    expect(embed.title).toBe('Sentiment: Positive');
    expect(embed.fields?.map((field) => field.name)).toContain('Words that weighed most');
    expect(embed.fields?.map((field) => field.value)).toContain('English');
  });

  it('rejects blank text without classifying', async () => {
    const { fake } = harness;
    const calls = classifier.sentimentCalls.length;
    const interaction = fake.runCommand('sentiment', [text('   \n  ')], {
      user: newUser(),
      locale: 'ko',
    });
    const edit = await waitForEdit(fake, interaction);
    expect(String(edit.body?.content)).toContain('글이 비어 있습니다');
    expect(classifier.sentimentCalls.length).toBe(calls);
  });

  it('answers in a direct message', async () => {
    const { fake } = harness;
    const interaction = fake.runCommand('sentiment', [text('boring and awful')], {
      user: newUser(),
      guildId: undefined,
    });
    const edit = await waitForEdit(fake, interaction);
    expect(firstEmbed(edit).title).toBe('Sentiment: Negative');
  });
});

describe('conversation', () => {
  it('answers a mention with a review', async () => {
    const { fake } = harness;
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> 이 영화 진짜 별로였어`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const reply = await waitForReplyTo(fake, message);
    expect(firstEmbed(reply).title).toBe('감정: 부정');
    expect(classifier.sentimentCalls.at(-1)).toBe('이 영화 진짜 별로였어');
    expect(reply.body?.allowed_mentions).toMatchObject({ parse: [], replied_user: false });
  });

  it('answers a reply to its own message', async () => {
    const { fake } = harness;
    const earlier = { ...fake.sendMessage({ content: 'x', author: fake.botUser }) };
    const message = fake.sendMessage({
      content: 'the ending was great',
      author: newUser(),
      replyTo: earlier,
    });
    const reply = await waitForReplyTo(fake, message);
    expect(firstEmbed(reply).title).toBe('Sentiment: Positive');
  });

  it('answers a direct message without a mention', async () => {
    const { fake } = harness;
    const message = fake.sendMessage({
      content: 'worst film of the year',
      author: newUser(),
      guildId: undefined,
    });
    const reply = await waitForReplyTo(fake, message);
    expect(firstEmbed(reply).title).toBe('Sentiment: Negative');
  });

  it('points to the commands for a bare mention', async () => {
    const { fake } = harness;
    const calls = classifier.sentimentCalls.length;
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}>`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const reply = await waitForReplyTo(fake, message);
    // A bare mention has no text to detect a language from, so the server's locale (ko) applies.
    expect(String(reply.body?.content)).toContain('/감정분석');
    expect(classifier.sentimentCalls.length).toBe(calls);
  });

  it('ignores messages from bots, itself included', async () => {
    const { fake } = harness;
    const otherBot = { ...newUser('otherbot'), bot: true };
    const fromBot = fake.sendMessage({
      content: `<@${fake.botUser.id}> terrible movie, truly awful`,
      author: otherBot,
      mentions: [fake.botUser],
    });
    const fromSelf = fake.sendMessage({
      content: `<@${fake.botUser.id}> self loop check`,
      author: fake.botUser,
      mentions: [fake.botUser],
    });
    // Events arrive in order, so once the human's reply exists the bot messages were handled.
    const human = fake.sendMessage({
      content: `<@${fake.botUser.id}> loved it`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    await waitForReplyTo(fake, human);
    const repliedTo = fake.requests.map(
      (request) => (request.body?.message_reference as { message_id?: string })?.message_id,
    );
    expect(repliedTo).not.toContain(fromBot.id);
    expect(repliedTo).not.toContain(fromSelf.id);
    expect(classifier.sentimentCalls).not.toContain('terrible movie, truly awful');
    expect(classifier.sentimentCalls).not.toContain('self loop check');
  });

  it('classifies a 4000-character message within embed limits', async () => {
    const { fake } = harness;
    const review = `${'지루'.repeat(5)} ${'a'.repeat(3000)} ${'좋아'.repeat(494)}`.slice(0, 3970);
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> ${review}`.padEnd(4000, '!'),
      author: newUser(),
      mentions: [fake.botUser],
    });
    expect(String(message.content).length).toBe(4000);
    const reply = await waitForReplyTo(fake, message);
    const embed = firstEmbed(reply);
    expect(classifier.sentimentCalls.at(-1)?.length).toBeGreaterThan(3900);
    expect(embedLength(embed)).toBeLessThanOrEqual(6000);
    for (const field of embed.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(1024);
    expect(JSON.stringify(reply.body)).not.toContain('a'.repeat(100));
  });
});

describe('digits', () => {
  it('reads a digit attachment and attaches the model input', async () => {
    const { fake } = harness;
    const image = Uint8Array.from([137, 80, 78, 71, 1, 2, 3, 4, 5]);
    const attachment = fake.addAttachment('seven.png', image);
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}>`,
      author: newUser(),
      mentions: [fake.botUser],
      attachments: [attachment],
    });
    const reply = await waitForReplyTo(fake, message);
    expect(fake.downloads).toContain(new URL(attachment.url).pathname);
    expect(Array.from(classifier.digitCalls.at(-1) ?? [])).toEqual(Array.from(image));
    const embed = firstEmbed(reply);
    expect(embed.title).toBe('숫자: 7');
    expect(embed.image?.url).toBe('attachment://model-input.png');
    expect(embed.fields?.[0].value).toBe('**7** 97% · **1** 2% · **9** 1%');
    expect(reply.files).toHaveLength(1);
    expect(reply.files[0].name).toBe('model-input.png');
    expect(Array.from(reply.files[0].bytes)).toEqual(Array.from(DEBUG_PNG));
  });

  it('answers /digit after deferring', async () => {
    const { fake } = harness;
    const attachment = fake.addAttachment('digit.png', Uint8Array.from([1, 2, 3]));
    const interaction = fake.runCommand(
      'digit',
      [{ name: 'image', type: OPTION_TYPE.attachment, value: attachment.id }],
      { user: newUser(), locale: 'ko' },
      [attachment],
    );
    const callback = await waitForCallback(fake, interaction);
    expect(callback.body?.type).toBe(5);
    const edit = await waitForEdit(fake, interaction);
    expect(firstEmbed(edit).title).toBe('숫자: 7');
    expect(edit.files).toHaveLength(1);
  });

  it('rejects a non-image attachment without downloading it', async () => {
    const { fake } = harness;
    const calls = classifier.digitCalls.length;
    const attachment = fake.addAttachment('notes.txt', Buffer.from('hello'), {
      contentType: 'text/plain; charset=utf-8',
    });
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> what is this`,
      author: newUser(),
      mentions: [fake.botUser],
      attachments: [attachment],
    });
    const reply = await waitForReplyTo(fake, message);
    expect(String(reply.body?.content)).toContain('text/plain');
    expect(String(reply.body?.content)).toContain('PNG');
    expect(fake.downloads).not.toContain(new URL(attachment.url).pathname);
    expect(classifier.digitCalls.length).toBe(calls);
  });

  it('rejects an attachment declared too large without downloading it', async () => {
    const { fake } = harness;
    const attachment = fake.addAttachment('huge.png', Uint8Array.from([1]), {
      declaredSize: 50 * 1024 * 1024,
    });
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}>`,
      author: newUser(),
      mentions: [fake.botUser],
      attachments: [attachment],
    });
    const reply = await waitForReplyTo(fake, message);
    expect(String(reply.body?.content)).toContain('너무 큽니다(50.0 MB, 최대 8.0 MB)');
    expect(fake.downloads).not.toContain(new URL(attachment.url).pathname);
  });

  it('maps NO_DIGIT_FOUND to a localised message', async () => {
    const { fake } = harness;
    classifier.nextDigitError = new NunchiError('NO_DIGIT_FOUND', 'no ink', {});
    const attachment = fake.addAttachment('blank.png', Uint8Array.from([9, 9]));
    const interaction = fake.runCommand(
      'digit',
      [{ name: 'image', type: OPTION_TYPE.attachment, value: attachment.id }],
      { user: newUser(), locale: 'ko' },
      [attachment],
    );
    const edit = await waitForEdit(fake, interaction);
    expect(String(edit.body?.content)).toContain('숫자를 찾지 못했습니다');
  });
});

describe('feedback', () => {
  it('stores the right label after 👎', async () => {
    const { fake } = harness;
    const user = newUser();
    const review = '배우 연기가 별로였어';
    const interaction = fake.runCommand('sentiment', [text(review)], { user, locale: 'ko' });
    const edit = await waitForEdit(fake, interaction);
    const down = buttonIds(edit).find((id) => id.startsWith('fb:down:'));
    expect(down).toBeDefined();
    const original = fake.originalOf(interaction);
    expect(original).toBeDefined();

    const press = fake.pressButton(String(down), original ?? {}, { user, locale: 'ko' });
    const question = await waitForCallback(fake, press);
    expect(question.body?.type).toBe(4);
    expect((question.body?.data as { flags: number }).flags & 64).toBe(64);
    const labelIds = buttonIds({
      ...question,
      body: question.body?.data as Record<string, unknown>,
    });
    const positive = labelIds.find((id) => id.endsWith(':positive'));
    expect(positive).toBeDefined();

    const questionMessage = { id: '1', channel_id: fake.channelId, flags: 64, components: [] };
    const choose = fake.pressButton(String(positive), questionMessage, { user, locale: 'ko' });
    const confirmation = await waitForCallback(fake, choose);
    expect(confirmation.body?.type).toBe(7);
    expect(String((confirmation.body?.data as { content: string }).content)).toContain('긍정');

    const rows = store.listFeedback('sentiment-ko').filter((row) => row.text === review);
    expect(rows).toHaveLength(1);
    expect(rows[0].label).toBe(1);
  });

  it('lets only the asker rate an answer', async () => {
    const { fake } = harness;
    const review = 'good enough film for a rainy day';
    const interaction = fake.runCommand('sentiment', [text(review)], { user: newUser() });
    const edit = await waitForEdit(fake, interaction);
    const up = String(buttonIds(edit).find((id) => id.startsWith('fb:up:')));
    const press = fake.pressButton(
      up,
      { id: '2', channel_id: fake.channelId },
      { user: newUser() },
    );
    const callback = await waitForCallback(fake, press);
    expect(String((callback.body?.data as { content: string }).content)).toContain(
      'Only the person who asked',
    );
    expect(store.listFeedback('sentiment-en').some((row) => row.text === review)).toBe(false);
  });

  it('stores nothing and shows no buttons after an opt-out', async () => {
    const { fake } = harness;
    const user = newUser();
    const optOut = fake.runCommand(
      'privacy',
      [{ name: 'feedback', type: OPTION_TYPE.string, value: 'off' }],
      { user },
    );
    const callback = await waitForCallback(fake, optOut);
    expect(String((callback.body?.data as { content: string }).content)).toContain('off');
    expect(store.isOptedOut('user', user.id)).toBe(true);
    expect(store.listAudit(5).some((entry) => entry.target === `user:${user.id}`)).toBe(true);

    const interaction = fake.runCommand('sentiment', [text('great')], { user });
    const edit = await waitForEdit(fake, interaction);
    expect(buttonIds(edit)).toEqual([]);
  });
});

describe('Discord rules', () => {
  it('defers a slow classification within the acknowledgement window', async () => {
    const { fake } = harness;
    classifier.delayMs = 3500;
    try {
      const interaction = fake.runCommand('sentiment', [text('slow but good')], {
        user: newUser(),
      });
      const dispatchedAt = Date.now();
      const callback = await waitForCallback(fake, interaction);
      expect(callback.status).toBe(204);
      expect(callback.at - dispatchedAt).toBeLessThan(3000);
      const edit = await waitForEdit(fake, interaction, 10_000);
      expect(edit.at - dispatchedAt).toBeGreaterThanOrEqual(3400);
      expect(firstEmbed(edit).title).toBe('Sentiment: Positive');
    } finally {
      classifier.delayMs = 0;
    }
  });

  it('sends a channel message instead of editing past 14 minutes', async () => {
    const { fake } = harness;
    const user = newUser();
    classifier.delayMs = 600;
    try {
      const interaction = fake.runCommand('sentiment', [text('late but good')], {
        user,
        at: Date.now() - 14 * 60_000 + 300,
      });
      const message = await fake.waitForRequest(
        (request) =>
          request.method === 'POST' &&
          request.path === `/channels/${fake.channelId}/messages` &&
          String(request.body?.content).includes(`<@${user.id}>`),
      );
      expect(firstEmbed(message).title).toBe('Sentiment: Positive');
      const edits = fake.requestsFor(interaction).filter((request) => request.method === 'PATCH');
      expect(edits).toEqual([]);
    } finally {
      classifier.delayMs = 0;
    }
  });

  it('falls back to the channel after 50027 invalid webhook token', async () => {
    const { fake } = harness;
    const user = newUser();
    fake.failNext({
      method: 'PATCH',
      path: /^\/webhooks\//,
      status: 401,
      body: { code: 50027, message: 'Invalid Webhook Token' },
    });
    fake.runCommand('sentiment', [text('token trouble but good')], { user });
    const message = await fake.waitForRequest(
      (request) =>
        request.method === 'POST' && String(request.body?.content).includes(`<@${user.id}>`),
    );
    expect(firstEmbed(message).title).toBe('Sentiment: Positive');
    expect(harness.logs.some((line) => line.includes('50027'))).toBe(true);
  });

  it('logs 10062 unknown interaction and still answers', async () => {
    const { fake } = harness;
    const user = newUser();
    fake.failNext({
      method: 'POST',
      path: /\/callback$/,
      status: 404,
      body: { code: 10062, message: 'Unknown interaction' },
    });
    fake.runCommand('sentiment', [text('expired yet good')], { user });
    const message = await fake.waitForRequest(
      (request) =>
        request.method === 'POST' && String(request.body?.content).includes(`<@${user.id}>`),
    );
    expect(firstEmbed(message).title).toBe('Sentiment: Positive');
    expect(harness.logs.some((line) => line.includes('10062'))).toBe(true);
  });

  it('sends to the channel when a reply is refused', async () => {
    const { fake } = harness;
    fake.failNext({
      method: 'POST',
      path: new RegExp(`^/channels/${fake.channelId}/messages$`),
      status: 400,
      body: { code: 160002, message: 'Cannot reply without permission to read message history' },
    });
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> no history permission but good`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const refused = await waitForReplyTo(fake, message);
    expect(refused.status).toBe(400);
    const sent = await fake.waitForRequest(
      (request) =>
        request.at >= refused.at &&
        request.status === 200 &&
        request.body?.message_reference === undefined &&
        firstEmbedTitle(request) === 'Sentiment: Positive',
    );
    expect(sent.path).toBe(`/channels/${fake.channelId}/messages`);
  });

  it('retries after 429 and logs it', async () => {
    const { fake } = harness;
    fake.failNext({
      method: 'POST',
      path: new RegExp(`^/channels/${fake.channelId}/messages$`),
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 0.05, global: false },
      headers: { 'retry-after': '0.05', 'x-ratelimit-scope': 'user' },
    });
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> rate limited but great`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const reply = await fake.waitForRequest(
      (request) =>
        request.status === 200 &&
        (request.body?.message_reference as { message_id?: string })?.message_id === message.id,
    );
    expect(firstEmbed(reply).title).toBe('Sentiment: Positive');
    const attempts = fake.requests.filter(
      (request) =>
        (request.body?.message_reference as { message_id?: string })?.message_id === message.id,
    );
    expect(attempts.map((request) => request.status)).toEqual([429, 200]);
    expect(harness.logs.some((line) => line.includes('429'))).toBe(true);
  });

  it('resumes after a gateway disconnect and replays missed events', async () => {
    const { fake } = harness;
    const identifies = fake.frames.filter((frame) => frame.op === 2).length;
    fake.gateway.disconnectAll(4000);
    const message = fake.sendMessage({
      content: `<@${fake.botUser.id}> sent while offline, still good`,
      author: newUser(),
      mentions: [fake.botUser],
    });
    const resume = await fake.waitUntil(
      () => fake.frames.find((frame) => frame.op === 6),
      10_000,
      'a RESUME frame',
    );
    expect((resume.d as { session_id: string }).session_id).toMatch(/^session-/);
    const reply = await waitForReplyTo(fake, message, 10_000);
    expect(firstEmbed(reply).title).toBe('Sentiment: Positive');
    expect(fake.frames.filter((frame) => frame.op === 2).length).toBe(identifies);
  });

  it('answers heartbeats and keeps the session alive', async () => {
    const { fake } = harness;
    await fake.waitUntil(
      () => fake.frames.filter((frame) => frame.op === 1).length >= 2 || undefined,
      5000,
      'two heartbeats',
    );
    expect(fake.gateway.connectedSessions()).toHaveLength(1);
  });
});

describe('help and models', () => {
  it('/help says what is stored and how to opt out', async () => {
    const { fake } = harness;
    const interaction = fake.runCommand('help', [], { user: newUser(), locale: 'ko' });
    const callback = await waitForCallback(fake, interaction);
    const data = callback.body?.data as {
      flags: number;
      embeds: { fields: { name: string; value: string }[] }[];
    };
    expect(data.flags & 64).toBe(64);
    const fields = data.embeds[0].fields.map((field) => `${field.name}: ${field.value}`).join('\n');
    expect(fields).toContain('저장하는 정보');
    expect(fields).toContain('/개인정보');
  });

  it('/model lists versions and accuracy', async () => {
    const { fake } = harness;
    const interaction = fake.runCommand('model', [], { user: newUser() });
    const callback = await waitForCallback(fake, interaction);
    const data = callback.body?.data as { embeds: { description: string }[] };
    expect(data.embeds[0].description).toContain('sentiment-ko');
    expect(data.embeds[0].description).toContain('85.3%');
  });
});

describe('logs', () => {
  it('never contain the bot token or interaction tokens', () => {
    const all = harness.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(harness.fake.token);
    expect(all).not.toContain('interaction-token-');
  });

  it('recorded no unhandled rejection', () => {
    expect(unhandled).toEqual([]);
  });
});
