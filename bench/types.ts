/** One line of `npm run bench` output. Benches may add fields (timing, overhead_ratio, ...). */
export type BenchResult = {
  name: string;
  median_ms: number;
  /** Timed samples behind the median. */
  n: number;
  /** Only where the baseline was measured in the same run, on the same data. */
  baseline?: string;
  baseline_median_ms?: number;
  /** baseline_median_ms / median_ms. */
  speedup?: number;
  [extra: string]: unknown;
};

/**
 * What bench/run.ts expects of a `*.bench.ts` module. `names`, where exported, lets the runner
 * skip the whole file when no name matches the filter. `filterable: true` makes the runner call
 * `default(filter)` so the module can skip work per result; without it `default()` gets no
 * arguments, because its first parameter may mean something else (audio-kernels takes bytes).
 */
export interface BenchModule {
  default: (filter?: string) => Promise<BenchResult[]>;
  names?: readonly string[];
  filterable?: true;
}

/** The runner's filter rule: a substring of the result name; no filter matches everything. */
export function matchesFilter(name: string, filter: string | undefined): boolean {
  return !filter || name.includes(filter);
}

/** Median of a non-empty sample. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** URL prefix under which bench/run.ts serves ../shared/media to the bench page. */
export const MEDIA_PREFIX = '/__bench-media/';
