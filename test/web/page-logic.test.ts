import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STATIC_DIR } from '../../src/web/routes.ts';

type Range = { start: number; end: number; token: string; weight: number };
interface HighlightModule {
  surfaceForms(token: string): string[];
  findHighlights(text: string, topWords: { token: string; weight: number }[]): Range[];
  splitText(text: string, ranges: Range[]): { text: string; range?: Range }[];
}
interface SseModule {
  createEventParser(onEvent: (event: { type: string; data: string }) => void): {
    push(chunk: string): void;
    end(): void;
  };
}
interface I18nModule {
  pickLanguage(tags: string[]): string;
}
interface JobViewModule {
  overallFraction(progress: Record<string, unknown>): number | undefined;
}

// The page modules are plain browser JS without type declarations, so they load by URL.
async function loadPageModule<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(path.join(STATIC_DIR, name)).href)) as T;
}

const highlight = await loadPageModule<HighlightModule>('highlight.js');
const sse = await loadPageModule<SseModule>('sse.js');
const i18n = await loadPageModule<I18nModule>('i18n.js');

describe('surfaceForms', () => {
  it.each([
    ['재밌/VA', ['재밌']],
    ['했/VV+EP', ['했']],
    ['▁great', ['great']],
    ['##ing', ['ing']],
    ['정말/MAG 재밌/VA', ['정말', '재밌']],
    ['C/C++', ['C/C++']],
  ])('maps %s to %j', (token, expected) => {
    expect(highlight.surfaceForms(token)).toEqual(expected);
  });
});

describe('findHighlights', () => {
  it('finds Korean morphemes inside words', () => {
    const text = '스토리가 재밌었고 배우도 좋았다';
    const ranges = highlight.findHighlights(text, [
      { token: '재밌/VA', weight: 1.2 },
      { token: '좋/VA', weight: 0.8 },
    ]);
    expect(ranges.map((range) => text.slice(range.start, range.end))).toEqual(['재밌', '좋']);
    expect(ranges[0].weight).toBe(1.2);
  });

  it('matches English words whole and ignoring case', () => {
    const text = 'A Great film, greatly boring at times. Great!';
    const ranges = highlight.findHighlights(text, [
      { token: 'great', weight: 1 },
      { token: 'boring', weight: -1 },
      { token: 'a', weight: 0.1 },
    ]);
    expect(ranges.map((range) => text.slice(range.start, range.end))).toEqual([
      'A',
      'Great',
      'boring',
      'Great',
    ]);
  });

  it('lets the stronger word claim an overlap', () => {
    const text = '정말재밌다';
    const ranges = highlight.findHighlights(text, [
      { token: '정말/MAG 재밌/VA', weight: 2 },
      { token: '재밌/VA', weight: 1 },
    ]);
    expect(ranges).toEqual([{ start: 0, end: 4, token: '정말/MAG 재밌/VA', weight: 2 }]);
  });

  it('skips tokens absent from the text', () => {
    expect(highlight.findHighlights('최고', [{ token: '하/VV', weight: 1 }])).toEqual([]);
  });

  it('splits text into plain and highlighted segments', () => {
    const text = 'so boring';
    const ranges = highlight.findHighlights(text, [{ token: 'boring', weight: -1 }]);
    const segments = highlight.splitText(text, ranges);
    expect(segments.map((segment) => segment.text)).toEqual(['so ', 'boring']);
    expect(segments[0].range).toBeUndefined();
    expect(segments[1].range?.weight).toBe(-1);
  });
});

describe('createEventParser', () => {
  const stream =
    'event: progress\ndata: {"epoch":1}\n\n: keepalive\n\nevent: state\ndata: {"state":"succeeded"}\n\n';

  it.each([1, 3, 7, stream.length])('parses events split into %i-character chunks', (size) => {
    const events: { type: string; data: string }[] = [];
    const parser = sse.createEventParser((event) => events.push(event));
    for (let at = 0; at < stream.length; at += size) parser.push(stream.slice(at, at + size));
    parser.end();
    expect(events).toEqual([
      { type: 'progress', data: '{"epoch":1}' },
      { type: 'state', data: '{"state":"succeeded"}' },
    ]);
  });

  it('handles CRLF split between chunks and multi-line data', () => {
    const events: { type: string; data: string }[] = [];
    const parser = sse.createEventParser((event) => events.push(event));
    parser.push('data: a\r');
    parser.push('\ndata: b\r');
    parser.push('\n\r');
    parser.push('\n');
    expect(events).toEqual([{ type: 'message', data: 'a\nb' }]);
  });

  it('drops an event left unterminated at the end', () => {
    const events: unknown[] = [];
    const parser = sse.createEventParser((event) => events.push(event));
    parser.push('event: state\ndata: {}');
    parser.end();
    expect(events).toEqual([]);
  });
});

describe('pickLanguage', () => {
  it.each([
    [['ko-KR', 'en-US'], 'ko'],
    [['en-GB', 'ko'], 'en'],
    [['fr-FR', 'ko'], 'ko'],
    [['de'], 'en'],
    [[], 'en'],
  ])('picks from %j the language %s', (tags, expected) => {
    expect(i18n.pickLanguage(tags)).toBe(expected);
  });
});

describe('overallFraction', () => {
  it('counts epochs from 1 and batches inside them', async () => {
    // job-view.js imports the DOM helpers but touches the DOM only when a view is created.
    const jobView = await loadPageModule<JobViewModule>('job-view.js');
    expect(
      jobView.overallFraction({ phase: 'training', epoch: 1, epochs: 2, batch: 5, batches: 10 }),
    ).toBe(0.25);
    expect(
      jobView.overallFraction({ phase: 'training', epoch: 2, epochs: 2, batch: 10, batches: 10 }),
    ).toBe(1);
    expect(
      jobView.overallFraction({ phase: 'saving', epoch: 0, epochs: 0, batch: 0, batches: 0 }),
    ).toBeUndefined();
    expect(
      jobView.overallFraction({ phase: 'done', epoch: 0, epochs: 0, batch: 0, batches: 0 }),
    ).toBe(1);
  });
});
