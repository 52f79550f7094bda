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

/**
 * First line of a bench that runs under Node instead of in the bench page: it drives its own
 * browser, e.g. one launched with a fake camera (bench/live.bench.ts). The runner reads the
 * file's first line rather than importing it, because page benches cannot be imported in Node.
 */
export const NODE_BENCH_PRAGMA = '// @bench-environment node';

/** What bench/run.ts hands a Node-side bench. */
export interface NodeBenchContext {
  /** The runner's Vite dev server, e.g. http://127.0.0.1:5173 (no trailing slash). */
  url: string;
  /** The name filter, '' for none; the runner drops non-matching lines anyway. */
  filter: string;
  /** Progress to stderr. */
  log: (...a: unknown[]) => void;
}

/** What bench/run.ts expects of a Node-side bench module (see NODE_BENCH_PRAGMA). */
export interface NodeBenchModule {
  default: (ctx: NodeBenchContext) => Promise<BenchResult[]>;
  names?: readonly string[];
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new RangeError('percentile of nothing');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
