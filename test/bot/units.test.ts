/** Unit tests of the bot's pure parts: text, embeds, ids, cooldown, caches and downloads. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerCache } from '../../src/bot/answers.ts';
import {
  attachmentContentType,
  checkImageAttachment,
  downloadAttachment,
} from '../../src/bot/attachments.ts';
import { buildCommands } from '../../src/bot/commands.ts';
import { Cooldown } from '../../src/bot/cooldown.ts';
import {
  confidenceBar,
  digitAnswerMessage,
  formatTopWords,
  sentimentEmbed,
} from '../../src/bot/embeds.ts';
import { parseFeedbackId } from '../../src/bot/feedback.ts';
import { errorText, pickLocale, pickMessageLocale, translate } from '../../src/bot/i18n.ts';
import { stripBotMention } from '../../src/bot/messages.ts';
import { redactPath } from '../../src/bot/rest-errors.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import { NunchiError } from '../../src/core/errors.ts';
import { createFakeClassifier } from './fake-classifier.ts';

describe('locale', () => {
  it.each([
    ['ko', 'ko'],
    ['KO', 'ko'],
    ['en-US', 'en'],
    ['fr', 'en'],
    [null, 'en'],
    [undefined, 'en'],
  ])('pickLocale(%s) is %s', (input, expected) => {
    expect(pickLocale(input)).toBe(expected);
  });

  it('picks the message locale from the text first', () => {
    expect(pickMessageLocale('영화 좋았어', 'en-US')).toBe('ko');
    expect(pickMessageLocale('great film', 'ko')).toBe('en');
    expect(pickMessageLocale('123 !!', 'ko')).toBe('ko');
    expect(pickMessageLocale('', undefined)).toBe('en');
  });
});

describe('error messages', () => {
  const codes: ErrorCode[] = [
    'TEXT_EMPTY',
    'TEXT_TOO_LONG',
    'TEXT_INVALID',
    'NO_DIGIT_FOUND',
    'IMAGE_INVALID',
    'IMAGE_TOO_LARGE',
    'IMAGE_UNSUPPORTED',
    'MODEL_NOT_FOUND',
    'ANALYZER_UNAVAILABLE',
  ];

  it.each(codes)('%s has its own Korean and English text', (code) => {
    const error = new NunchiError(code, 'internal detail', {});
    const ko = errorText('ko', error);
    const en = errorText('en', error);
    expect(ko).not.toBe(errorText('ko', new Error('x')));
    expect(en).not.toBe(errorText('en', new Error('x')));
    expect(/[\uac00-\ud7af]/.test(ko)).toBe(true);
    expect(/[\uac00-\ud7af]/.test(en)).toBe(false);
    expect(ko).not.toMatch(/[{}]/);
    expect(en).not.toMatch(/[{}]/);
    expect(en).not.toContain('internal detail');
  });

  it('fills sizes from the error details', () => {
    const error = new NunchiError('IMAGE_TOO_LARGE', 'x', {
      bytes: 9 * 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
    });
    expect(errorText('en', error)).toBe(
      'The image is too large (9.0 MB, at most 8.0 MB). Send a smaller image.',
    );
  });

  it('hides internal errors behind a generic message', () => {
    expect(errorText('en', new Error('database path /secret'))).toBe(
      translate('en', 'error_INTERNAL'),
    );
    expect(errorText('ko', new NunchiError('CONFIG_INVALID', 'x', {}))).toBe(
      translate('ko', 'error_INTERNAL'),
    );
  });
});

describe('embeds', () => {
  it.each([
    [0.5, '█████░░░░░ 50%'],
    [0.91, '█████████░ 91%'],
    [1, '██████████ 100%'],
    [Number.NaN, '░░░░░░░░░░ 0%'],
  ])('confidenceBar(%s)', (value, expected) => {
    expect(confidenceBar(value)).toBe(expected);
  });

  it('escapes backticks and cuts long tokens in top words', () => {
    const text = formatTopWords(
      [
        { token: 'a`b', weight: -0.5 },
        { token: 'x'.repeat(100), weight: 0.25 },
      ],
      'en',
    );
    expect(text.split('\n')[0]).toBe('▼ `a b` −0.50');
    expect(text.split('\n')[1]).toBe(`▲ \`${'x'.repeat(31)}…\` +0.25`);
  });

  it('says so when no word stands out', () => {
    expect(formatTopWords([], 'ko')).toBe(translate('ko', 'noTopWords'));
  });

  it('builds a sentiment embed with label, bar, language and words', async () => {
    const result = await createFakeClassifier().classifySentiment('진짜 최악 별로');
    const embed = sentimentEmbed(result, 'ko').toJSON();
    expect(embed.title).toBe('감정: 부정');
    expect(embed.fields?.map((field) => field.name)).toEqual([
      '확신도',
      '언어',
      '모델',
      '판단에 가장 큰 영향을 준 단어',
    ]);
  });

  it('attaches the model input and lists the top three', async () => {
    const answer = await createFakeClassifier().readDigits(new Uint8Array(4), {
      debugImage: true,
    });
    const { embed, files } = digitAnswerMessage(answer, 'en');
    expect(embed.toJSON().title).toBe('Digit: 7');
    expect(embed.toJSON().image?.url).toBe('attachment://model-input.png');
    expect(files).toHaveLength(1);
  });

  it('lists each digit of a number', () => {
    const reading = {
      digit: 2,
      probability: 0.9,
      top: [
        { digit: 2, probability: 0.9 },
        { digit: 7, probability: 0.05 },
        { digit: 1, probability: 0.01 },
      ],
      box: { x: 0, y: 0, width: 1, height: 1 },
      input: new Uint8Array(784),
    };
    const { embed, files } = digitAnswerMessage(
      {
        kind: 'number',
        text: '22',
        digits: [reading, reading],
        model: 'digits-mlp',
        modelVersion: 'v1',
      },
      'ko',
    );
    const json = embed.toJSON();
    expect(json.title).toBe('수: 22');
    expect(json.fields?.map((field) => field.name)).toEqual(['1번째 숫자', '2번째 숫자']);
    expect(files).toEqual([]);
  });
});

describe('feedback ids', () => {
  it.each([
    ['fb:up:0a1b2c', { kind: 'up', answerId: '0a1b2c' }],
    ['fb:down:ff', { kind: 'down', answerId: 'ff' }],
    ['fb:label:ab:negative', { kind: 'label', answerId: 'ab', label: 'negative' }],
  ])('parses %s', (id, expected) => {
    expect(parseFeedbackId(id)).toEqual(expected);
  });

  it.each(['fb:label:ab:neutral', 'fb:up:', 'xx:up:ab', 'fb:up:NOT-HEX', 'fb:sideways:ab'])(
    'rejects %s',
    (id) => {
      expect(parseFeedbackId(id)).toBeUndefined();
    },
  );
});

describe('Cooldown', () => {
  it('blocks a user until the cooldown ends', () => {
    const cooldown = new Cooldown(3);
    expect(cooldown.take('u', 1000)).toBe(0);
    expect(cooldown.take('u', 1500)).toBe(3);
    expect(cooldown.take('u', 3999)).toBe(1);
    expect(cooldown.take('other', 1500)).toBe(0);
    expect(cooldown.take('u', 4000)).toBe(0);
  });

  it('is off at 0 seconds', () => {
    const cooldown = new Cooldown(0);
    expect(cooldown.take('u')).toBe(0);
    expect(cooldown.take('u')).toBe(0);
  });
});

describe('AnswerCache', () => {
  it('evicts the oldest answer past the cap', async () => {
    const result = await createFakeClassifier().classifySentiment('good');
    const cache = new AnswerCache(2, 1000);
    const first = cache.add({ text: 'a', result, userId: 'u', guildId: undefined });
    const second = cache.add({ text: 'b', result, userId: 'u', guildId: undefined });
    cache.add({ text: 'c', result, userId: 'u', guildId: undefined });
    expect(cache.get(first)).toBeUndefined();
    expect(cache.get(second)?.text).toBe('b');
    expect(cache.size).toBe(2);
  });

  it('forgets answers older than the TTL', async () => {
    const result = await createFakeClassifier().classifySentiment('good');
    const cache = new AnswerCache(10, 1000);
    const id = cache.add({ text: 'a', result, userId: 'u', guildId: 'g' }, 0);
    expect(cache.get(id, 999)?.guildId).toBe('g');
    expect(cache.get(id, 1001)).toBeUndefined();
  });
});

describe('messages', () => {
  it('strips both mention forms of the bot only', () => {
    expect(stripBotMention('<@123> 좋아요 <@!123>', '123')).toBe('좋아요');
    expect(stripBotMention('<@456> hi', '123')).toBe('<@456> hi');
    expect(stripBotMention('  <@123>  ', '123')).toBe('');
  });
});

describe('REST paths', () => {
  it('redacts interaction and webhook tokens', () => {
    expect(redactPath('/api/v10/interactions/1/abc.def/callback')).toBe(
      '/api/v10/interactions/1/:token/callback',
    );
    expect(redactPath('/webhooks/99/tok-en/messages/@original')).toBe(
      '/webhooks/99/:token/messages/@original',
    );
    expect(redactPath('/channels/5/messages')).toBe('/channels/5/messages');
  });
});

describe('commands', () => {
  const commands = buildCommands(5000);
  const nameRule = /^[-_\p{L}\p{N}]{1,32}$/u;

  it('has valid English and Korean names with descriptions', () => {
    for (const command of commands) {
      expect(command.name).toMatch(nameRule);
      expect(command.name).toBe(command.name.toLowerCase());
      expect(command.name_localizations?.ko).toMatch(nameRule);
      expect(command.description.length).toBeLessThanOrEqual(100);
      expect(command.description_localizations?.ko?.length).toBeGreaterThan(0);
      for (const option of command.options ?? []) {
        expect(option.name_localizations?.ko).toMatch(nameRule);
        expect(option.description_localizations?.ko?.length).toBeGreaterThan(0);
      }
    }
  });

  it('caps the review length at the smaller of the two limits', () => {
    const text = (limit: number) =>
      buildCommands(limit)[0].options?.find((option) => option.name === 'text') as {
        max_length?: number;
      };
    expect(text(5000).max_length).toBe(5000);
    expect(text(100_000).max_length).toBe(6000);
  });
});

describe('attachments', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/big-declared') {
        response.writeHead(200, { 'content-length': '5000', 'content-type': 'image/png' });
        response.end(Buffer.alloc(5000));
      } else if (request.url === '/big-chunked') {
        response.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 10; i += 1) response.write(Buffer.alloc(500));
        response.end();
      } else if (request.url === '/small') {
        response.writeHead(200, { 'content-type': 'image/png' });
        response.end(Buffer.from([1, 2, 3]));
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('derives the content type from the extension when metadata lacks it', () => {
    expect(attachmentContentType({ name: 'a.JPG', url: '', size: 1, contentType: null })).toBe(
      'image/jpeg',
    );
    expect(attachmentContentType({ name: 'a', url: '', size: 1, contentType: null })).toBe(
      'application/octet-stream',
    );
  });

  it('checks type and declared size before download', () => {
    const image = { name: 'a.png', url: '', size: 10, contentType: 'image/png' };
    expect(() => checkImageAttachment(image, 100)).not.toThrow();
    expect(() => checkImageAttachment({ ...image, size: 101 }, 100)).toThrow(
      expect.objectContaining({ code: 'IMAGE_TOO_LARGE' }),
    );
    expect(() => checkImageAttachment({ ...image, contentType: 'application/pdf' })).toThrow(
      expect.objectContaining({ code: 'IMAGE_UNSUPPORTED' }),
    );
  });

  it('downloads a small file', async () => {
    expect(Array.from(await downloadAttachment(`${origin}/small`, { maxBytes: 10 }))).toEqual([
      1, 2, 3,
    ]);
  });

  it('rejects a Content-Length over the cap', async () => {
    await expect(
      downloadAttachment(`${origin}/big-declared`, { maxBytes: 1000 }),
    ).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      details: { bytes: 5000, maxBytes: 1000 },
    });
  });

  it('stops a chunked download at the cap', async () => {
    await expect(
      downloadAttachment(`${origin}/big-chunked`, { maxBytes: 1000 }),
    ).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
    });
  });

  it('turns an HTTP error into IMAGE_INVALID', async () => {
    await expect(downloadAttachment(`${origin}/missing`)).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
      details: { status: 404 },
    });
  });

  it('rejects a non-HTTP URL', async () => {
    await expect(downloadAttachment('file:///etc/passwd')).rejects.toMatchObject({
      code: 'IMAGE_INVALID',
    });
  });
});
