/**
 * Snapping for edits made with the pointer: an item's bounds snap to the canvas edges and centre
 * lines and to other items' edges and centres. Everything is in canvas pixels; the caller turns
 * its distance from screen pixels into canvas pixels, so snapping feels the same at any zoom.
 */
import type { Size } from './layout.ts';

/** An axis-aligned rectangle in canvas pixels. */
export interface Rect { left: number; top: number; right: number; bottom: number }

/**
 * A line to draw while an edge or centre is snapped. Axis 'x' is the vertical line x = `at`
 * from y = `from` to `to`; axis 'y' the horizontal line y = `at` from x = `from` to `to`.
 */
export interface Guide { axis: 'x' | 'y'; at: number; from: number; to: number }

/** A coordinate that attracts edges, with the span its guide covers along the other axis. */
export interface SnapTarget { at: number; from: number; to: number }

/** Targets along x (vertical lines) and along y (horizontal lines). */
export interface SnapTargets { x: SnapTarget[]; y: SnapTarget[] }

/** What a gesture snaps to: the targets and how near (canvas pixels) an edge must come. */
export interface SnapContext { targets: SnapTargets; distance: number }

/** The best snap found along one axis. */
export interface AxisSnap {
  /** Added to the candidates to land the snapped one on the target. */
  offset: number;
  target: SnapTarget;
  /** Index of the candidate that snapped. */
  index: number;
}

/** Two coordinates closer than this are the same line (float noise, not a visible gap). */
const SAME = 1e-6;

/** Targets: the canvas edges and centre lines, then each rectangle's edges and centre. */
export function snapTargets(canvas: Readonly<Size>, others: readonly Rect[]): SnapTargets {
  const x: SnapTarget[] = [0, canvas.width / 2, canvas.width].map((at) => ({ at, from: 0, to: canvas.height }));
  const y: SnapTarget[] = [0, canvas.height / 2, canvas.height].map((at) => ({ at, from: 0, to: canvas.width }));
  for (const r of others) {
    for (const at of [r.left, (r.left + r.right) / 2, r.right]) x.push({ at, from: r.top, to: r.bottom });
    for (const at of [r.top, (r.top + r.bottom) / 2, r.bottom]) y.push({ at, from: r.left, to: r.right });
  }
  return { x, y };
}

/**
 * The nearest target to any of `candidates` within `distance` (the first candidate wins a tie,
 * so an edge is preferred to a centre listed after it); null when nothing is near enough.
 */
export function snapAxis(candidates: readonly number[], targets: readonly SnapTarget[], distance: number): AxisSnap | null {
  let best: AxisSnap | null = null;
  let bestDist = Infinity;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    for (const t of targets) {
      const d = Math.abs(t.at - c);
      if (d <= distance && d < bestDist) {
        bestDist = d;
        best = { offset: t.at - c, target: t, index: i };
      }
    }
  }
  return best;
}

/**
 * Guides for a rectangle after snapping along `axis`: one per target that one of `coords` now
 * lies on, spanning the target and the rectangle (`span`, along the other axis). Duplicates
 * (two items with the same edge) are merged into one line.
 */
export function guidesOn(axis: 'x' | 'y', coords: readonly number[], targets: readonly SnapTarget[], span: readonly [number, number]): Guide[] {
  const out: Guide[] = [];
  for (const c of coords) {
    for (const t of targets) {
      if (Math.abs(t.at - c) > SAME) continue;
      const from = Math.min(t.from, span[0]), to = Math.max(t.to, span[1]);
      const same = out.find((g) => Math.abs(g.at - t.at) <= SAME);
      if (same) { same.from = Math.min(same.from, from); same.to = Math.max(same.to, to); } else out.push({ axis, at: t.at, from, to });
    }
  }
  return out;
}

/** The three snapping coordinates of a rectangle along an axis: start edge, centre, end edge. */
export function edgesOf(r: Rect, axis: 'x' | 'y'): [number, number, number] {
  return axis === 'x' ? [r.left, (r.left + r.right) / 2, r.right] : [r.top, (r.top + r.bottom) / 2, r.bottom];
}
