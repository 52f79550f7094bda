import { MediaDecodeError } from '../util/errors.ts';

/** Largest side an image source keeps (GPU texture limits; bigger pictures are scaled down). */
export const MAX_IMAGE_SIDE = 8192;
/** Largest image file accepted. */
const MAX_IMAGE_BYTES = 200 * 1024 * 1024;

/**
 * Decodes an image (PNG, JPEG, WebP, GIF's first frame, SVG) on the page into an ImageBitmap
 * for the render worker, scaled down if a side exceeds MAX_IMAGE_SIDE. Throws MediaDecodeError.
 */
export async function decodeImage(blob: Blob): Promise<ImageBitmap> {
  if (!(blob instanceof Blob)) throw new MediaDecodeError('An image source needs an image file (a Blob or File).');
  if (blob.size > MAX_IMAGE_BYTES) throw new MediaDecodeError(`The image is too large (${Math.round(blob.size / 1e6)} MB; at most 200 MB).`);
  const name = (blob as File).name ?? 'image';
  try {
    let bitmap: ImageBitmap;
    if (blob.type === 'image/svg+xml' || /\.svg$/i.test(name)) {
      // createImageBitmap does not take SVG blobs; an <img> rasterises them.
      const url = URL.createObjectURL(blob);
      try {
        const img = new Image();
        img.src = url;
        await img.decode();
        const w = img.naturalWidth || 1024, h = img.naturalHeight || 1024;
        bitmap = await createImageBitmap(img, { resizeWidth: w, resizeHeight: h });
      } finally {
        URL.revokeObjectURL(url);
      }
    } else {
      bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
    }
    const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale < 1) {
      const small = await createImageBitmap(bitmap, { resizeWidth: Math.round(bitmap.width * scale), resizeHeight: Math.round(bitmap.height * scale), resizeQuality: 'high' });
      bitmap.close();
      bitmap = small;
    }
    return bitmap;
  } catch (e) {
    throw new MediaDecodeError(`"${name}" could not be read as an image (PNG, JPEG, WebP, GIF or SVG).`, {}, { cause: e });
  }
}
