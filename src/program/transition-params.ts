import type { TransitionSpec } from '../scene/types.ts';

/** Kinds the transition pass draws (a cut draws nothing between the scenes). */
export const TRANSITION_KIND_CODE = { fade: 0, slide: 1, swipe: 2, 'fade-to-color': 3 } as const;
/** The side the new scene moves towards. */
export const TRANSITION_DIRECTION_CODE = { left: 0, right: 1, up: 2, down: 3 } as const;

/** Cubic ease in and out, as OBS's slide and swipe move. */
export function easeInOutCubic(t: number): number {
  return t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2;
}

/** What the transition pass needs for one frame: the blend weight and the shift along the moving axis. */
export interface TransitionFrame {
  kind: number;
  direction: number;
  /** 0..1: the weight of the new scene (fade), or of the colour's two halves (fade to colour). */
  t: number;
  /** Whole pixels the new scene has moved in (slide, swipe), 0..length of the axis. */
  shift: number;
}

/** The pass parameters at `progress` (0..1) of `spec` on a width × height canvas, written into `into` (the frame loop reuses one). */
export function transitionFrame(spec: TransitionSpec, progress: number, width: number, height: number,
  into: TransitionFrame = { kind: 0, direction: 0, t: 0, shift: 0 }): TransitionFrame {
  const p = Math.min(1, Math.max(0, progress));
  into.kind = spec.kind === 'cut' ? TRANSITION_KIND_CODE.fade : TRANSITION_KIND_CODE[spec.kind];
  into.direction = TRANSITION_DIRECTION_CODE[spec.direction ?? 'left'];
  const length = into.direction < 2 ? width : height;
  const moving = spec.kind === 'slide' || spec.kind === 'swipe';
  into.t = p;
  into.shift = moving ? Math.round(easeInOutCubic(p) * length) : 0;
  return into;
}
