/**
 * A small seeded generator (mulberry32), so a directory built from the same seed is the same on every machine
 * and Node version; Math.random() cannot be seeded.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** `count` distinct indices out of [0, size), in random order (partial Fisher-Yates). */
  sample(size: number, count: number): number[];
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (probability) => next() < probability,
    sample(size, count) {
      const n = Math.min(Math.max(0, count), size);
      const indices = Array.from({ length: size }, (_, i) => i);
      for (let i = 0; i < n; i++) {
        const j = int(i, size - 1);
        [indices[i], indices[j]] = [indices[j], indices[i]];
      }
      return indices.slice(0, n);
    },
  };
}
