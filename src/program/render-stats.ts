import type { EffectsStats, ProgramStats } from '../util/types.ts';
import type { Program } from './program.ts';
import type { ProgramClock } from './program-clock.ts';

/** Effects figures while no source removes its background: which backend is ready, and why not where it is not. */
export function idleEffectsStats(backend: 'webgpu' | 'wasm' | null, fallbackReason: string | null, error: string | null): EffectsStats {
  return {
    backend, fallbackReason, active: false, inferenceMs: 0, maskAgeMs: 0, masksProduced: 0, masksReused: 0, error,
    crop: null, fullFramePasses: 0, cropPasses: 0, maskRate: 0, maskAgeP50: NaN, maskAgeP95: NaN,
    maskStagesMs: { readback: 0, model: 0, toRefine: 0 },
  };
}

/** The program's figures: its scene, clock and how much work the last frames needed. */
export function programStats(p: Program, clock: ProgramClock): ProgramStats {
  return {
    sceneId: p.currentSceneId, frameRate: clock.frameRate, ticks: clock.ticks,
    transformsRecomputed: p.transformsRecomputed, composed: p.composed, reused: p.reused,
  };
}
