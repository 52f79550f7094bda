import { Segmenter } from '../../../src/segment/segmenter.ts';
import { EffectsChain } from '../../../src/gpu/effects.ts';
import { fetchBytes } from '../../reference/page-io.ts';

export interface ClipResult { ious: number[]; fullFramePasses: number; cropPasses: number }

/**
 * Feeds a clip's frames in order through the live background chain (model on wasm, GPU
 * refinement with temporal smoothing at its default), each frame run to its own mask as a
 * camera's would be with a fast enough model, and scores every mask against ground truth.
 */
export async function clipIoU(frames: string[], truths: string[], w: number, h: number, fps: number, personCrop: boolean): Promise<ClipResult> {
  const seg = await Segmenter.create({ model: 'general', backend: 'wasm' });
  const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
  const chain = new EffectsChain(device, seg);
  chain.personCrop = personCrop;
  await chain.setBackground({ type: 'transparent' });
  const cam = device.createTexture({ size: [w, h], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.STORAGE_BINDING });
  const row = Math.ceil((w * 4) / 256) * 256;
  const read = device.createBuffer({ size: row * h, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const ious: number[] = [];
  try {
    for (let i = 0; i < frames.length; i++) {
      const [rgba, truth] = await Promise.all([fetchBytes(frames[i]), fetchBytes(truths[i])]);
      device.queue.writeTexture({ texture: cam }, rgba, { bytesPerRow: w * 4 }, [w, h]);
      const mask = await chain.maskFor(cam, (i * 1000) / fps);
      const enc = device.createCommandEncoder();
      enc.copyTextureToBuffer({ texture: mask }, { buffer: read, bytesPerRow: row }, [w, h]);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const m = new Uint8Array(read.getMappedRange());
      let inter = 0, union = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const a = m[y * row + x * 4] >= 128, b = truth[y * w + x] >= 128;
          if (a && b) inter++;
          if (a || b) union++;
        }
      }
      read.unmap();
      ious.push(union ? inter / union : 1);
    }
    const st = chain.stats(0);
    return { ious, fullFramePasses: st.fullFramePasses, cropPasses: st.cropPasses };
  } finally {
    chain.destroy();
    cam.destroy();
    read.destroy();
    device.destroy();
  }
}
