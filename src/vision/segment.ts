/**
 * @module Splits an ink map into digits: 8-connected components of the inked pixels, with specks
 * dropped and components that share a column span merged (a "5" drawn in two strokes), ordered
 * left to right.
 */

/** Ink at or above this level counts as a stroke pixel when labelling components. */
export const STROKE_LEVEL = 0.25;
/** Most digits read from one image; smaller groups beyond it are dropped as noise. */
export const MAX_DIGITS = 12;

/** One digit's pixels: a bounding box in the ink map and the component labels it owns. */
export interface DigitRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  area: number;
  labels: number[];
}

/**
 * Labels 8-connected stroke pixels. Returns the label of each pixel (0 for background) and
 * one region per component.
 */
export function labelComponents(
  ink: Float32Array,
  width: number,
  height: number,
): { labels: Int32Array; regions: DigitRegion[] } {
  const labels = new Int32Array(width * height);
  const regions: DigitRegion[] = [];
  const stack = new Int32Array(width * height);
  for (let start = 0; start < ink.length; start += 1) {
    if (labels[start] !== 0 || ink[start] < STROKE_LEVEL) continue;
    const label = regions.length + 1;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    let area = 0;
    while (top > 0) {
      const index = stack[--top];
      const x = index % width;
      const y = (index - x) / width;
      area += 1;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy += 1) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (labels[neighbour] === 0 && ink[neighbour] >= STROKE_LEVEL) {
            labels[neighbour] = label;
            stack[top++] = neighbour;
          }
        }
      }
    }
    regions.push({
      x: minX,
      y: minY,
      width: maxX - minX + 1,
      height: maxY - minY + 1,
      area,
      labels: [label],
    });
  }
  return { labels, regions };
}

function merge(a: DigitRegion, b: DigitRegion): DigitRegion {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
    area: a.area + b.area,
    labels: [...a.labels, ...b.labels],
  };
}

/** True when the narrower region lies at least half inside the other's column span. */
function shareColumns(a: DigitRegion, b: DigitRegion): boolean {
  const overlap = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  return overlap >= 0.5 * Math.min(a.width, b.width);
}

/**
 * Groups components into digits, ordered left to right. Components smaller than 3% of the largest
 * one's area and a quarter of its height are specks; components sharing columns are one digit.
 */
export function groupDigits(regions: DigitRegion[]): DigitRegion[] {
  if (regions.length === 0) return [];
  const largestArea = Math.max(...regions.map((region) => region.area));
  const tallest = Math.max(...regions.map((region) => region.height));
  let groups = regions.filter(
    (region) => region.area >= 0.03 * largestArea || region.height >= 0.25 * tallest,
  );
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < groups.length; i += 1) {
      for (let j = i + 1; j < groups.length; j += 1) {
        if (shareColumns(groups[i], groups[j])) {
          const combined = merge(groups[i], groups[j]);
          groups = groups.filter((_, k) => k !== i && k !== j);
          groups.push(combined);
          merged = true;
          break outer;
        }
      }
    }
  }
  if (groups.length > MAX_DIGITS) {
    groups = [...groups].sort((a, b) => b.area - a.area).slice(0, MAX_DIGITS);
  }
  return groups.sort((a, b) => a.x - b.x);
}
