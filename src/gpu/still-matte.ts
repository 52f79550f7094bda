import type { SegmenterLike as Segmenter } from '../segment/segmenter.ts';
import { MediaDecodeError } from '../util/errors.ts';
import { SegmentPreprocessPass, type CropRect } from './passes/segment-preprocess.ts';
import { boundsToFrame, maskBounds, personCrop, type Rect } from '../segment/person-crop.ts';
import { MaskBoundsPass } from './passes/mask-bounds.ts';
import { MaskRefiner } from './stages/mask-refine-stage.ts';
import type { MaskOptions } from '../segment/mask-options.ts';

/** Width and height from a PNG or JPEG header, or null for other formats (decoded to find out). */
export function sniffImageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && dv.getUint32(0) === 0x89504e47 && dv.getUint32(12) === 0x49484452) {
    return { width: dv.getUint32(16), height: dv.getUint32(20) };
  }
  if (bytes.length >= 4 && dv.getUint16(0) === 0xffd8) {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) { i++; continue; }
      const marker = bytes[i + 1];
      const len = dv.getUint16(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: dv.getUint16(i + 5), width: dv.getUint16(i + 7) };
      }
      i += 2 + len;
    }
  }
  return null;
}

/** Pixels and size of a decoded image, refusing what the GPU cannot hold. */
async function decode(blob: Blob, maxSide: number): Promise<{ pixels: Uint8ClampedArray; width: number; height: number }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const sniffed = sniffImageSize(bytes);
  const tooBig = (w: number, h: number) => new MediaDecodeError(
    `The image is ${w}×${h} pixels; the largest this GPU can process is ${maxSide}×${maxSide}. Scale it down and try again.`, { width: w, height: h, maxSide });
  if (sniffed && (sniffed.width > maxSide || sniffed.height > maxSide)) throw tooBig(sniffed.width, sniffed.height);
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new MediaDecodeError(`The file could not be read as an image (${e instanceof Error ? e.message : String(e)}). Use a PNG, JPEG or WebP picture.`);
  }
  try {
    if (bmp.width > maxSide || bmp.height > maxSide) throw tooBig(bmp.width, bmp.height);
    const canvas = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bmp, 0, 0);
    return { pixels: ctx.getImageData(0, 0, bmp.width, bmp.height).data, width: bmp.width, height: bmp.height };
  } finally {
    bmp.close();
  }
}

/** One model pass over `region` of `image` (or all of it): the mask on the GPU and the person's bounds in it. */
type Infer = (region: CropRect | null) => Promise<{ buf: GPUBuffer; bounds: Rect | null }>;

function makeInfer(device: GPUDevice, segmenter: Segmenter, image: GPUTexture, input: GPUBuffer, made: { destroy(): void }[]): Infer {
  const mw = segmenter.inputWidth, mh = segmenter.inputHeight;
  const pre = new SegmentPreprocessPass(device);
  made.push(pre);
  const cpu = segmenter.backend === 'wasm';
  const inStaging = device.createBuffer({ size: input.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'still-input-readback' });
  const maskBuf = device.createBuffer({ size: mw * mh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label: 'still-mask' });
  // As the live chain does: bounds on the GPU, so on WebGPU the mask itself never leaves it.
  const boundsPass = new MaskBoundsPass(device);
  made.push(inStaging, maskBuf, boundsPass);
  return async (region) => {
    const enc = device.createCommandEncoder({ label: 'still-preprocess' });
    pre.encode(enc, image, input, mw, mh, undefined, region ?? undefined);
    if (cpu) {
      enc.copyBufferToBuffer(input, 0, inStaging, 0, input.size);
      device.queue.submit([enc.finish()]);
      await inStaging.mapAsync(GPUMapMode.READ);
      const inp = new Float32Array(inStaging.getMappedRange().slice(0));
      inStaging.unmap();
      const out = await segmenter.runCpu(inp);
      const mask = out.slice(0, mw * mh);
      device.queue.writeBuffer(maskBuf, 0, mask);
      return { buf: maskBuf, bounds: maskBounds(mask, mw, mh) };
    }
    device.queue.submit([enc.finish()]);
    const out = await segmenter.run();
    // The model's buffer is reused by its next run: keep this pass's mask in our own.
    const copy = device.createCommandEncoder({ label: 'still-mask-copy' });
    copy.copyBufferToBuffer(out, 0, maskBuf, 0, mw * mh * 4);
    device.queue.submit([copy.finish()]);
    return { buf: maskBuf, bounds: await boundsPass.measure(maskBuf, mw, mh) };
  };
}

/**
 * Removes the background of one still image: the same model and refinement as the live path
 * (without temporal smoothing, which needs a previous frame), at the image's full resolution.
 * Person-centred: after a pass over the whole picture, a padded square around the person(s) is
 * inferred again at the model's full input size and its mask replaces that region.
 * Returns a PNG whose alpha is the refined mask.
 */
export async function removeBackground(device: GPUDevice, segmenter: Segmenter, blob: Blob, options: Partial<MaskOptions>): Promise<Blob> {
  const { pixels, width, height } = await decode(blob, device.limits.maxTextureDimension2D);
  const made: { destroy(): void }[] = [];
  const refiner = new MaskRefiner(device, { ...options, temporal: 0 });
  try {
    const texture = (w: number, h: number, label: string) => {
      const t = device.createTexture({
        size: [w, h], format: 'rgba8unorm', label,
        usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | GPUTextureUsage.STORAGE_BINDING,
      });
      made.push(t);
      return t;
    };
    const image = texture(width, height, 'still-image');
    device.queue.writeTexture({ texture: image }, pixels, { bytesPerRow: width * 4 }, [width, height]);
    const result = texture(width, height, 'still-matte');
    const mw = segmenter.inputWidth, mh = segmenter.inputHeight;
    const input = segmenter.backend === 'wasm'
      ? device.createBuffer({ size: 3 * mw * mh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'still-input' })
      : segmenter.inputBuffer;
    if (segmenter.backend === 'wasm') made.push(input);
    const infer = makeInfer(device, segmenter, image, input, made);

    const whole = await infer(null);
    let enc = device.createCommandEncoder({ label: 'still-refine' });
    let mask = refiner.encode(enc, { mask: whole.buf, lowResFrame: input, maskWidth: mw, maskHeight: mh, guide: image });
    enc.copyTextureToTexture({ texture: mask }, { texture: result }, [width, height]);
    device.queue.submit([enc.finish()]);

    const crop = whole.bounds ? personCrop(boundsToFrame(whole.bounds, mw, mh, { x: 0, y: 0, width, height }), width, height) : null;
    if (crop) {
      const guide = texture(crop.width, crop.height, 'still-crop');
      enc = device.createCommandEncoder({ label: 'still-crop' });
      enc.copyTextureToTexture({ texture: image, origin: [crop.x, crop.y] }, { texture: guide }, [crop.width, crop.height]);
      device.queue.submit([enc.finish()]);
      const near = await infer(crop);
      enc = device.createCommandEncoder({ label: 'still-refine-crop' });
      mask = refiner.encode(enc, { mask: near.buf, lowResFrame: input, maskWidth: mw, maskHeight: mh, guide });
      enc.copyTextureToTexture({ texture: mask }, { texture: result, origin: [crop.x, crop.y] }, [crop.width, crop.height]);
      device.queue.submit([enc.finish()]);
    }

    const rowBytes = Math.ceil((width * 4) / 256) * 256;
    const read = device.createBuffer({ size: rowBytes * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'still-matte-readback' });
    made.push(read);
    enc = device.createCommandEncoder({ label: 'still-readback' });
    enc.copyTextureToBuffer({ texture: result }, { buffer: read, bytesPerRow: rowBytes }, [width, height]);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const m = new Uint8Array(read.getMappedRange());
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) pixels[(y * width + x) * 4 + 3] = m[y * rowBytes + x * 4];
    }
    read.unmap();
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d')!.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    refiner.destroy();
    for (const m of made) m.destroy();
  }
}
