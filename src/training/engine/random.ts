/** @module Seeded pseudo-random numbers, so that a training run with a fixed seed repeats. */

/** Returns a mulberry32 generator of uniform numbers in [0, 1) seeded with `seed`. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `values`, an array or a typed array, in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(
  values: T,
  random: () => number,
): T {
  for (let i = values.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const held = values[i];
    values[i] = values[j];
    values[j] = held;
  }
  return values;
}

/** Fills `target` with Glorot-uniform values for a kernel with the given fan-in and fan-out. */
export function glorotUniform(
  target: Float32Array,
  fanIn: number,
  fanOut: number,
  random: () => number,
): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < target.length; i += 1) target[i] = (random() * 2 - 1) * limit;
  return target;
}
