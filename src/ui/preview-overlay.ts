/**
 * What the preview editor draws over the preview: an SVG on top of the canvas (whose pixels
 * belong to the render worker), so outlines, handles and guides never reach the program.
 * Also the mapping between pointer (CSS) pixels and program canvas pixels.
 */
import { boxCorners, handleDirection, handlePoint, HANDLES, rotateHandlePoint, type Box, type Handle } from '../scene/manipulate.ts';
import type { Point, Size } from '../scene/layout.ts';
import type { Guide } from '../scene/snap.ts';

const SVG = 'http://www.w3.org/2000/svg';
/** Handle squares' side, their hit radius and the rotate handle's distance above the box, in CSS pixels. */
export const HANDLE_SIZE = 9, HANDLE_HIT = 8, ROTATE_GAP = 28;

/**
 * Where the program picture is on the page: the canvas origin in client (CSS) pixels and CSS
 * pixels per canvas pixel. The picture is contained in the canvas element's box, so a
 * letterboxed or scaled preview maps right.
 */
export interface ViewMap { left: number; top: number; scale: number }

/** The map for `canvas` showing a program of `output` pixels. */
export function viewMap(canvas: HTMLElement, output: Readonly<Size>): ViewMap {
  const r = canvas.getBoundingClientRect();
  const scale = Math.min(r.width / output.width, r.height / output.height) || 1;
  return { left: r.left + (r.width - output.width * scale) / 2, top: r.top + (r.height - output.height * scale) / 2, scale };
}

/** A client point in program canvas pixels. */
export function toProgram(m: ViewMap, clientX: number, clientY: number): Point {
  return [(clientX - m.left) / m.scale, (clientY - m.top) / m.scale];
}

/** A program point in client pixels. */
export function toClient(m: ViewMap, p: Point): Point { return [m.left + p[0] * m.scale, m.top + p[1] * m.scale]; }

/** The CSS cursor for a resize handle of a box turned by `rotation` degrees. */
export function handleCursor(h: Handle, rotation: number): string {
  const [hx, hy] = handleDirection(h);
  const a = ((((Math.atan2(hy, hx) * 180) / Math.PI + rotation) % 180) + 180) % 180;
  return a < 22.5 || a >= 157.5 ? 'ew-resize' : a < 67.5 ? 'nwse-resize' : a < 112.5 ? 'ns-resize' : 'nesw-resize';
}

/** What to draw: the selected item's box (null: none), whether it can be edited, hover outline, guides, the program size. */
export interface OverlayState { box: Box | null; editable: boolean; hover: Box | null; guides: readonly Guide[]; rotateOffset: number; canvas: Readonly<Size> }

const el = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};

/** The SVG layer; `draw` replaces its contents (a handful of elements, redrawn per frame at most). */
export class OverlayView {
  readonly svg: SVGSVGElement;

  constructor(host: HTMLElement) {
    this.svg = el('svg', { class: 'preview-overlay-svg', 'aria-hidden': 'true' });
    host.append(this.svg);
  }

  /** Draws `s` with `m`; positions are relative to the SVG's own box. */
  draw(s: OverlayState, m: ViewMap): void {
    const o = this.svg.getBoundingClientRect();
    const at = (p: Point): Point => { const c = toClient(m, p); return [c[0] - o.left, c[1] - o.top]; };
    const pts = (b: Box) => boxCorners(b).map((p) => at(p).join(',')).join(' ');
    const parts: SVGElement[] = [];
    // A guide on the canvas border is drawn just inside it, where the preview does not clip it.
    const inset = 1 / m.scale;
    const inside = (v: number, size: number) => Math.min(Math.max(v, inset), size - inset);
    for (const g of s.guides) {
      const [a, b] = g.axis === 'x'
        ? [at([inside(g.at, s.canvas.width), g.from]), at([inside(g.at, s.canvas.width), g.to])]
        : [at([g.from, inside(g.at, s.canvas.height)]), at([g.to, inside(g.at, s.canvas.height)])];
      parts.push(el('line', { class: 'snap-guide', x1: a[0], y1: a[1], x2: b[0], y2: b[1], 'data-axis': g.axis, 'data-at': g.at }));
    }
    if (s.hover) parts.push(el('polygon', { class: 'hover-outline', points: pts(s.hover) }));
    if (s.box) {
      parts.push(el('polygon', { class: s.editable ? 'sel-outline' : 'sel-outline locked', points: pts(s.box) }));
      if (s.editable) {
        const top = at(handlePoint(s.box, 'n')), rot = at(rotateHandlePoint(s.box, s.rotateOffset));
        parts.push(el('line', { class: 'rotate-stem', x1: top[0], y1: top[1], x2: rot[0], y2: rot[1] }));
        parts.push(el('circle', { class: 'handle rotate', cx: rot[0], cy: rot[1], r: HANDLE_SIZE / 2 + 1, 'data-handle': 'rotate' }));
        const half = HANDLE_SIZE / 2;
        for (const hd of HANDLES) {
          const [x, y] = at(handlePoint(s.box, hd));
          parts.push(el('rect', {
            class: 'handle', x: x - half, y: y - half, width: HANDLE_SIZE, height: HANDLE_SIZE, 'data-handle': hd,
            transform: `rotate(${s.box.rotation} ${x} ${y})`,
          }));
        }
      }
    }
    this.svg.replaceChildren(...parts);
  }
}
