/**
 * Page side of the transition test: two scene pictures uploaded as rgba8unorm textures, one
 * TransitionPass frame into a storage texture, read back.
 */
import { TransitionPass } from '../../../src/gpu/passes/transition.ts';
import { transitionFrame } from '../../../src/program/transition-params.ts';
import type { TransitionSpec } from '../../../src/scene/types.ts';
import { fetchBytes, postBytes } from '../../reference/page-io.ts';
import { withGpu } from './gpu-harness.ts';

export interface TransitionCall { from: string; to: string; width: number; height: number; spec: TransitionSpec; progress: number[] }

/** Draws `progress.length` frames of the transition; posts each as `${out}/p<i>`. */
export async function frames(call: TransitionCall, out: string): Promise<void> {
  const [a, b] = await Promise.all([fetchBytes(call.from), fetchBytes(call.to)]);
  await withGpu(async (t) => {
    const from = t.textureFromRgba(a, call.width, call.height);
    const to = t.textureFromRgba(b, call.width, call.height);
    const dst = t.texture({ size: [call.width, call.height], format: 'rgba8unorm', usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_SRC, label: 'transition-test-dst' });
    const pass = new TransitionPass(t.device);
    try {
      for (let i = 0; i < call.progress.length; i++) {
        const enc = t.device.createCommandEncoder({ label: 'transition-test' });
        pass.encode(enc, from, to, dst, transitionFrame(call.spec, call.progress[i]!, call.width, call.height), call.spec.color ?? '#000000');
        t.device.queue.submit([enc.finish()]);
        await postBytes(out, `p${i}`, await t.readTexture(dst));
      }
    } finally {
      pass.destroy();
    }
  });
}
