/**
 * A burst of mixed requests dispatched at once through the fake gateway: every interaction gets
 * exactly one acknowledgement and one edit, every addressed message exactly one reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_TYPE, type RecordedRequest } from '../fake-discord/index.ts';
import { createFakeClassifier } from './fake-classifier.ts';
import { type Harness, newUser, startHarness } from './harness.ts';

const ROUNDS = 40;

describe('burst of mixed requests', () => {
  let harness: Harness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    const store = {
      recordFeedback: () => ({ id: 1 }),
      setOptOut() {},
      isOptedOut: () => false,
      audit() {},
    };
    harness = await startHarness({ classifier: createFakeClassifier(5), store });
  });
  afterAll(async () => {
    await harness?.stop();
    process.off('unhandledRejection', onUnhandled);
  });

  it('answers each request once', async () => {
    const { fake } = harness;
    const interactions: Record<string, unknown>[] = [];
    const messages: Record<string, unknown>[] = [];
    const mention = `<@${fake.botUser.id}>`;
    for (let round = 0; round < ROUNDS; round += 1) {
      const user = newUser();
      const review = { name: 'text', type: OPTION_TYPE.string, value: `영화 별로 ${round}` };
      interactions.push(fake.runCommand('sentiment', [review], { user, locale: 'ko' }));
      const english = { name: 'text', type: OPTION_TYPE.string, value: `great film ${round}` };
      interactions.push(fake.runCommand('sentiment', [english], { user: newUser() }));
      const image = fake.addAttachment(`d${round}.png`, Uint8Array.from([round % 256]));
      const notImage = fake.addAttachment(`n${round}.txt`, Uint8Array.from([1]), {
        contentType: 'text/plain',
      });
      for (const [content, attachments] of [
        [`${mention} boring ${round}`, []],
        [mention, [image]],
        [`${mention} what`, [notImage]],
        [mention, []],
      ] as const) {
        messages.push(
          fake.sendMessage({
            content,
            author: newUser(),
            mentions: [fake.botUser],
            attachments: [...attachments],
          }),
        );
      }
    }

    const repliesTo = (message: Record<string, unknown>) =>
      fake.requests.filter(
        (request: RecordedRequest) =>
          (request.body?.message_reference as { message_id?: string })?.message_id === message.id,
      );
    // Each interaction makes a callback and an edit, each message one reply.
    const expected = interactions.length * 2 + messages.length;
    const before = fake.requests.length;
    const started = Date.now();
    await fake.waitUntil(
      () => fake.requests.length - before >= expected || undefined,
      30_000,
      `${expected} requests from the bot`,
    );
    // Reported for the record; speed targets belong to benchmarks, not to this assertion.
    console.info(`burst: ${expected} bot requests in ${Date.now() - started} ms`);

    for (const interaction of interactions) {
      const sent = fake.requestsFor(interaction);
      expect(sent.map((request) => `${request.method} ${request.status}`)).toEqual([
        'POST 204',
        'PATCH 200',
      ]);
    }
    for (const message of messages) {
      expect(repliesTo(message).map((request) => request.status)).toEqual([200]);
    }
    expect(fake.requests.filter((request) => request.status >= 400)).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});

describe('acknowledgements under the REST rate limit', () => {
  let harness: Harness;

  beforeAll(async () => {
    const store = {
      recordFeedback: () => ({ id: 1 }),
      setOptOut() {},
      isOptedOut: () => false,
      audit() {},
    };
    // Five requests per second replaces Discord's 50 at a tenth of the burst size.
    // @discordjs/rest 2.x sends interaction callbacks outside its global limiter, as Discord
    // exempts them; this test keeps that true for the versions installed.
    harness = await startHarness({
      classifier: createFakeClassifier(),
      store,
      limits: { restRequestsPerSecond: 5 },
    });
  });
  afterAll(() => harness?.stop());

  it('acknowledges while edits wait', async () => {
    const { fake } = harness;
    const dispatched = Array.from({ length: 20 }, (_, index) => ({
      at: Date.now(),
      interaction: fake.runCommand(
        'sentiment',
        [{ name: 'text', type: OPTION_TYPE.string, value: `good ${index}` }],
        { user: newUser() },
      ),
    }));
    const edits = await fake.waitUntil(
      () => {
        const found = dispatched.map(({ interaction }) =>
          fake.requestsFor(interaction).find((request) => request.method === 'PATCH'),
        );
        return found.every(Boolean) ? (found as RecordedRequest[]) : undefined;
      },
      30_000,
      'every edit',
    );
    for (const { at, interaction } of dispatched) {
      const callback = fake.requestsFor(interaction)[0];
      expect(callback.method).toBe('POST');
      expect(callback.status).toBe(204);
      expect(callback.at - at).toBeLessThan(3000);
    }
    // The edits share the limiter: 20 of them at 5 per second take about 3 seconds.
    const lastEdit = Math.max(...edits.map((edit) => edit.at));
    expect(lastEdit - dispatched[0].at).toBeGreaterThanOrEqual(2000);
    expect(edits.every((edit) => edit.status === 200)).toBe(true);
  });
});
