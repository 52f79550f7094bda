/**
 * The preview's context-menu commands as pure functions: each returns the patch (or index) the
 * editor sends through the studio API, so an arrangement is one ordinary, undoable edit.
 */
import type { Size } from './layout.ts';
import { boxBounds, type Box } from './manipulate.ts';
import type { ItemPatch } from './schema.ts';
import type { ItemTransform } from './types.ts';

/** Scales the box (aspect kept, rotation kept) so its bounds just fit the canvas, and centres it. */
export function fitToCanvas(b: Box, canvas: Readonly<Size>): Pick<Box, 'x' | 'y' | 'width' | 'height'> {
  const r = boxBounds(b);
  const bw = r.right - r.left, bh = r.bottom - r.top;
  if (!(bw > 0 && bh > 0)) return { x: 0, y: 0, width: canvas.width, height: canvas.height };
  const k = Math.min(canvas.width / bw, canvas.height / bh);
  const width = b.width * k, height = b.height * k;
  return { x: (canvas.width - width) / 2, y: (canvas.height - height) / 2, width, height };
}

/**
 * Makes the box cover the canvas exactly: upright (or turned by 180°) it becomes the canvas,
 * a quarter turn swaps its sides, and any other rotation is reset to 0 first.
 */
export function stretchToCanvas(b: Box, canvas: Readonly<Size>): Pick<Box, 'x' | 'y' | 'width' | 'height' | 'rotation'> {
  const d = ((b.rotation % 360) + 360) % 360;
  if (d === 90 || d === 270) {
    const width = canvas.height, height = canvas.width;
    return { x: (canvas.width - width) / 2, y: (canvas.height - height) / 2, width, height, rotation: b.rotation };
  }
  return { x: 0, y: 0, width: canvas.width, height: canvas.height, rotation: d === 180 ? b.rotation : 0 };
}

/** Moves the box so its centre is the canvas centre (size and rotation kept). */
export function centreOnCanvas(b: Box, canvas: Readonly<Size>): Pick<Box, 'x' | 'y'> {
  return { x: (canvas.width - b.width) / 2, y: (canvas.height - b.height) / 2 };
}

/**
 * The transform a new item gets: the source contained in the canvas and centred (the whole
 * canvas while its size is unknown), upright, uncropped, unflipped, fit 'contain'. Opacity,
 * visibility and lock are not part of the placement and stay.
 */
export function resetTransform(canvas: Readonly<Size>, source: Readonly<Size> | null): ItemPatch {
  let box = { x: 0, y: 0, width: canvas.width, height: canvas.height };
  if (source && source.width > 0 && source.height > 0) {
    const k = Math.min(canvas.width / source.width, canvas.height / source.height);
    const width = source.width * k, height = source.height * k;
    box = { x: (canvas.width - width) / 2, y: (canvas.height - height) / 2, width, height };
  }
  return { ...box, rotation: 0, crop: { left: 0, top: 0, right: 0, bottom: 0 }, fit: 'contain', flipH: false, flipV: false };
}

/** Mirrors the picture left–right ('h') or top–bottom ('v') inside its box. */
export function flipPatch(t: Readonly<ItemTransform>, axis: 'h' | 'v'): ItemPatch {
  return axis === 'h' ? { flipH: !t.flipH } : { flipV: !t.flipV };
}

/** Where an order command moves the item at `index` of `count` (0 = bottom). */
export function orderIndex(action: 'up' | 'down' | 'top' | 'bottom', index: number, count: number): number {
  const last = Math.max(0, count - 1);
  switch (action) {
    case 'up': return Math.min(last, index + 1);
    case 'down': return Math.max(0, index - 1);
    case 'top': return last;
    case 'bottom': return 0;
  }
}

/** The placement Ctrl+C copies and Ctrl+V pastes onto another item: box, rotation, crop, flips, fit. */
export function copyTransform(t: Readonly<ItemTransform>): ItemPatch {
  const { x, y, width, height, rotation, crop, fit } = t;
  return { x, y, width, height, rotation, crop: { ...crop }, flipH: !!t.flipH, flipV: !!t.flipV, fit };
}
