/**
 * How the benchmarks time a call (one home for every bench/*.bench.ts): the median wall-clock time of timed
 * repetitions after warm-up calls, and the CPU time this process spent per call over the timed ones (user + system,
 * every thread of the process: beside the wall time it shows work done in helper threads, such as the garbage
 * collector's). Not a benchmark itself (the runner loads files ending in .bench.ts only).
 */

/** The median of `xs` (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall-clock ms per call of `reps` timed calls after `warm` untimed ones, and mean CPU ms per timed call. */
export function timed(fn: () => void, reps: number, warm = 1): { ms: number; cpuMs: number } {
  for (let k = 0; k < warm; k++) fn();
  const t: number[] = [];
  const c0 = process.cpuUsage();
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  return { ms: median(t), cpuMs: (c.user + c.system) / 1000 / reps };
}

/** {@link timed}'s median wall-clock ms alone. */
export function medianMs(fn: () => void, reps: number, warm = 1): number {
  return timed(fn, reps, warm).ms;
}
