// CPU cost per frame of SceneLayout.update for a 32-item scene, as the render worker calls it:
// every frame gets fresh item objects (they arrive by postMessage). `scene-update-static`
// changes nothing, so only the value comparisons run; `scene-update-all-dirty` moves every item
// every frame, so every matrix is rebuilt. Pure CPU, browser-safe (runs in the bench page).
import { SceneLayout, type Size } from '../src/scene/layout.ts';
import type { SceneItem } from '../src/scene/types.ts';
import { matchesFilter, median, type BenchResult } from './types.ts';

export const names = ['scene-update-static', 'scene-update-all-dirty'] as const;
export const filterable = true;

const ITEMS = 32;
const SOURCES = 8;
const SAMPLES = 300;
/** Item lists cycled through, so consecutive frames never pass the same objects. */
const RING = 16;
/** Each timed sample runs this many frames, so one sample is well above the page clock's resolution. */
const MIN_SAMPLE_MS = 0.5;

function sceneItems(frame: number, moving: boolean): SceneItem[] {
  return Array.from({ length: ITEMS }, (_, i) => ({
    id: `itm-${i}`, sourceId: `src-${i % SOURCES}`,
    x: 40 * i + (moving ? frame : 0), y: 20 * i, width: 320, height: 180, rotation: i % 4 === 0 ? 0 : 7 * i,
    crop: { left: i % 5, top: 0, right: 0, bottom: i % 3 }, opacity: 1, visible: true, locked: false,
    fit: (['contain', 'cover', 'stretch'] as const)[i % 3]!,
  }));
}

function measure(name: (typeof names)[number], moving: boolean): BenchResult {
  const ring = Array.from({ length: RING }, (_, f) => sceneItems(f, moving));
  const sizes = new Map<string, Size>(Array.from({ length: SOURCES }, (_, i) => [`src-${i}`, { width: 1280, height: 720 + 2 * i }]));
  const sizeOf = (id: string) => sizes.get(id) ?? null;
  const layout = new SceneLayout();
  let frame = 0;
  const frames = (n: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) layout.update(ring[frame++ % RING]!, sizeOf);
    return performance.now() - t0;
  };
  frames(2000); // warm up to the optimising tier
  let reps = 1;
  while (frames(reps) < MIN_SAMPLE_MS && reps < 1 << 20) reps *= 2;
  const before = layout.recomputed;
  const samples: number[] = [];
  for (let s = 0; s < SAMPLES; s++) samples.push(frames(reps) / reps);
  const perFrame = (layout.recomputed - before) / (SAMPLES * reps);
  // The bench is meaningless if the cache does not behave as the line's name says.
  const expected = moving ? ITEMS : 0;
  if (perFrame !== expected) throw new Error(`${name}: ${perFrame} matrices recomputed per frame, expected ${expected}`);
  return { name, median_ms: median(samples), n: SAMPLES, timing: 'wall', items: ITEMS, frames_per_sample: reps, recomputed_per_frame: perFrame };
}

/** Runs the lines whose names match `filter`. */
export default async function run(filter?: string): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  if (matchesFilter(names[0], filter)) out.push(measure(names[0], false));
  if (matchesFilter(names[1], filter)) out.push(measure(names[1], true));
  return out;
}
