import type { Segmenter } from '../segment/segmenter.ts';
import { MediaDecodeError } from '../util/errors.ts';
import { SegmentPreprocessPass } from './passes/segment-preprocess.ts';
import { MaskRefiner } from './passes/mask-refiner.ts';
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

/**
 * Removes the background of one still image: the same model and refinement as the live path
 * (without temporal smoothing, which needs a previous frame), at the image's full resolution.
 * Returns a PNG whose alpha is the refined mask.
 */
export async function removeBackground(device: GPUDevice, segmenter: Segmenter, blob: Blob, options: Partial<MaskOptions>): Promise<Blob> {
  const { pixels, width, height } = await decode(blob, device.limits.maxTextureDimension2D);
  const made: { destroy(): void }[] = [];
  const refiner = new MaskRefiner(device, { ...options, temporal: 0 });
  try {
    const image = device.createTexture({
      size: [width, height], format: 'rgba8unorm', label: 'still-image',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.STORAGE_BINDING,
    });
    made.push(image);
    device.queue.writeTexture({ texture: image }, pixels, { bytesPerRow: width * 4 }, [width, height]);
    const mw = segmenter.inputWidth, mh = segmenter.inputHeight;
    const pre = new SegmentPreprocessPass(device);
    const cpu = segmenter.backend === 'wasm';
    const input = cpu
      ? device.createBuffer({ size: 3 * mw * mh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'still-input' })
      : segmenter.inputBuffer;
    if (cpu) made.push(input);
    let enc = device.createCommandEncoder({ label: 'still-preprocess' });
    pre.encode(enc, image, input, mw, mh);
    let maskBuf: GPUBuffer;
    if (cpu) {
      const staging = device.createBuffer({ size: input.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'still-input-readback' });
      made.push(staging);
      enc.copyBufferToBuffer(input, 0, staging, 0, input.size);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const out = await segmenter.runCpu(new Float32Array(staging.getMappedRange().slice(0)));
      staging.unmap();
      maskBuf = device.createBuffer({ size: out.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'still-mask' });
      made.push(maskBuf);
      device.queue.writeBuffer(maskBuf, 0, out.buffer, out.byteOffset, out.byteLength);
    } else {
      device.queue.submit([enc.finish()]);
      maskBuf = await segmenter.run();
    }
    enc = device.createCommandEncoder({ label: 'still-refine' });
    const mask = refiner.encode(enc, { mask: maskBuf, lowResFrame: input, maskWidth: mw, maskHeight: mh, guide: image });
    const rowBytes = Math.ceil((width * 4) / 256) * 256;
    const read = device.createBuffer({ size: rowBytes * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'still-mask-readback' });
    made.push(read);
    enc.copyTextureToBuffer({ texture: mask }, { buffer: read, bytesPerRow: rowBytes }, [width, height]);
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
