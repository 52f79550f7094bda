/**
 * Page side of the composite test: one RGBA layer drawn with a given placement into an
 * output texture cleared to opaque black.
 */
import { CompositePass, containFit, type LayerPlacement } from '../../../src/gpu/passes/composite.ts';
import { fetchBytes, postBytes } from '../../reference/page-io.ts';
import { withGpu } from './gpu-harness.ts';

/** `place` null → containFit of the source into the output. Posts `${out}/rgba`; returns the placement used. */
export async function composite(input: string, out: string, sw: number, sh: number, dw: number, dh: number, place: LayerPlacement | null): Promise<LayerPlacement> {
  const data = await fetchBytes(input);
  return withGpu(async (t) => {
    const src = t.textureFromRgba(data, sw, sh);
    const dst = t.texture({
      size: [dw, dh], format: 'rgba8unorm', label: 'composite-out',
      usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
    });
    const used = place ?? containFit(sw, sh, dw, dh);
    const pass = new CompositePass(t.device);
    try {
      const enc = t.device.createCommandEncoder();
      pass.encode(enc, dst, [{ texture: src, place: used }]);
      t.device.queue.submit([enc.finish()]);
      await postBytes(out, 'rgba', await t.readTexture(dst));
      return used;
    } finally {
      pass.destroy();
    }
  });
}
