/**
 * Person-centred inference: the selfie model sees its input at 256×256, so a person who fills
 * a fifth of the picture gets a mask a few dozen pixels wide. A second look at a padded square
 * around the person(s) gives the model several times the pixels where they matter.
 */

import type { Rect } from '../util/rect.ts';

export type { Rect };

/** Padding around the person's bounds, as a share of the larger side (measured best at 20–25 %). */
export const CROP_PAD = 0.22;
/** A crop covering at least this share of the frame is not worth a second pass. */
export const CROP_MAX_SHARE = 0.7;

/**
 * Bounds (in mask pixels, x1/y1 exclusive) of the mask values above `threshold`, or null when
 * there are fewer than `minPixels` of them (no person).
 */
export function maskBounds(mask: ArrayLike<number>, width: number, height: number, threshold = 0.5, minPixels = 12): Rect | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1, n = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] <= threshold) continue;
      n++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return n < minPixels ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * The square crop (in frame pixels) around `person` (also in frame pixels), padded by `pad` of
 * its larger side, moved inside the frame, and cut to the frame where the frame is narrower.
 * Null when the crop would cover most of the frame: the full frame is then as good.
 */
export function personCrop(person: Rect, frameWidth: number, frameHeight: number, pad = CROP_PAD, maxShare = CROP_MAX_SHARE): Rect | null {
  const side = Math.ceil(Math.max(person.width, person.height) * (1 + 2 * pad));
  const cx = person.x + person.width / 2, cy = person.y + person.height / 2;
  const place = (centre: number, size: number, limit: number): [number, number] => {
    const s = Math.min(size, limit);
    const start = Math.round(Math.min(Math.max(centre - s / 2, 0), limit - s));
    return [start, s];
  };
  const [x, width] = place(cx, side, frameWidth);
  const [y, height] = place(cy, side, frameHeight);
  if (width * height >= maxShare * frameWidth * frameHeight) return null;
  return { x, y, width, height };
}

/** Maps mask-pixel bounds of a model pass over `region` (frame pixels) to frame pixels. */
export function boundsToFrame(b: Rect, maskWidth: number, maskHeight: number, region: Rect): Rect {
  const sx = region.width / maskWidth, sy = region.height / maskHeight;
  const x0 = region.x + b.x * sx, y0 = region.y + b.y * sy;
  const x1 = region.x + (b.x + b.width) * sx, y1 = region.y + (b.y + b.height) * sy;
  return { x: Math.floor(x0), y: Math.floor(y0), width: Math.ceil(x1) - Math.floor(x0), height: Math.ceil(y1) - Math.floor(y0) };
}

/** How long the live chain may follow a crop before looking at the whole frame again. */
export const FULL_FRAME_EVERY_MS = 1000;

/** The live crop moves once the person comes closer than this share of their size to its edge. */
const KEEP_MARGIN = 0.08;

const clampTo = (r: Rect, w: number, h: number): Rect => {
  const x = Math.max(0, r.x), y = Math.max(0, r.y);
  return { x, y, width: Math.min(w, r.x + r.width) - x, height: Math.min(h, r.y + r.height) - y };
};

const contains = (a: Rect, b: Rect): boolean => b.x >= a.x && b.y >= a.y && b.x + b.width <= a.x + a.width && b.y + b.height <= a.y + a.height;

/**
 * Chooses where the live model looks: a crop that follows the person from the last mask (no
 * extra inference), with a full-frame pass at least once a second, when the person vanishes
 * from the crop, or when they touch its edge. The crop moves only when the person leaves it or
 * it has become much larger than needed, so it does not jitter from mask to mask.
 */
export class CropTracker {
  private crop: Rect | null = null;
  private lastFullMs = -Infinity;
  private wantFull = true;
  fullPasses = 0;
  cropPasses = 0;

  constructor(private frameWidth: number, private frameHeight: number) {}

  /** A new frame size forgets the crop. */
  resize(width: number, height: number): void {
    if (width === this.frameWidth && height === this.frameHeight) return;
    this.frameWidth = width;
    this.frameHeight = height;
    this.crop = null;
    this.wantFull = true;
  }

  /** The crop the live chain follows now (null: the whole frame). */
  get current(): Rect | null { return this.crop; }

  /** The region the next inference should look at: null for the whole frame. */
  next(nowMs: number): Rect | null {
    if (this.wantFull || !this.crop || nowMs - this.lastFullMs >= FULL_FRAME_EVERY_MS) return null;
    return this.crop;
  }

  /** Takes the result of an inference over `region` (null: whole frame): person bounds in mask pixels, or null. */
  observe(region: Rect | null, bounds: Rect | null, maskWidth: number, maskHeight: number, nowMs: number): void {
    const frame = { x: 0, y: 0, width: this.frameWidth, height: this.frameHeight };
    if (!region) {
      this.fullPasses++;
      this.lastFullMs = nowMs;
      this.wantFull = false;
    } else {
      this.cropPasses++;
      if (!bounds || this.touchesCropEdge(region, bounds, maskWidth, maskHeight)) { this.wantFull = true; return; }
    }
    if (!bounds) { this.crop = null; return; }
    const person = boundsToFrame(bounds, maskWidth, maskHeight, region ?? frame);
    const target = personCrop(person, this.frameWidth, this.frameHeight);
    const cur = this.crop;
    // Keep the crop while the person stays well inside it and it is not much too large.
    const m = Math.round(KEEP_MARGIN * Math.max(person.width, person.height));
    const padded = { x: person.x - m, y: person.y - m, width: person.width + 2 * m, height: person.height + 2 * m };
    if (target && cur && contains(cur, clampTo(padded, this.frameWidth, this.frameHeight)) && cur.width * cur.height <= 1.8 * target.width * target.height) return;
    this.crop = target;
  }

  /** Whether the person reaches a side of the crop that is not also the frame's edge. */
  private touchesCropEdge(r: Rect, b: Rect, mw: number, mh: number): boolean {
    return (b.x <= 1 && r.x > 0) || (b.y <= 1 && r.y > 0) ||
      (b.x + b.width >= mw - 1 && r.x + r.width < this.frameWidth) || (b.y + b.height >= mh - 1 && r.y + r.height < this.frameHeight);
  }
}
