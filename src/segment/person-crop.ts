/**
 * Person-centred inference: the selfie model sees its input at 256×256, so a person who fills
 * a fifth of the picture gets a mask a few dozen pixels wide. A second look at a padded square
 * around the person(s) gives the model several times the pixels where they matter.
 */

/** A rectangle of whole pixels. */
export interface Rect { x: number; y: number; width: number; height: number }

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
