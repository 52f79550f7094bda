/**
 * Page side of the NV12 output test: RGBA bytes → texture → RgbaToNv12Pass → NV12 VideoFrame,
 * whose Y and UV planes are posted back with tight rows.
 */
import { RgbaToNv12Pass } from '../../../src/gpu/passes/rgba-to-nv12.ts';
import { fetchBytes, postBytes } from '../../reference/page-io.ts';
import { withGpu } from './gpu-harness.ts';

export interface Nv12Info {
  format: string | null;
  codedWidth: number;
  codedHeight: number;
  timestamp: number;
  matrix: string | null;
  fullRange: boolean | null;
}

/** Converts the RGBA frame at `input`; posts `${out}/y` and `${out}/uv`. */
export async function toNv12(input: string, out: string, width: number, height: number): Promise<Nv12Info> {
  const data = await fetchBytes(input);
  return withGpu(async (t) => {
    const src = t.textureFromRgba(data, width, height);
    const pass = new RgbaToNv12Pass(t.device);
    try {
      const enc = t.device.createCommandEncoder();
      const done = pass.encode(enc, src, 1234);
      if (!done) throw new Error('NV12 pass dropped the first frame');
      t.device.queue.submit([enc.finish()]);
      const frame = await done();
      try {
        const ySize = width * height;
        const buf = new Uint8Array(ySize + width * (height / 2));
        // Tight rows, so the test compares samples and not the pass's padded stride.
        await frame.copyTo(buf, { layout: [{ offset: 0, stride: width }, { offset: ySize, stride: width }] });
        await postBytes(out, 'y', buf.subarray(0, ySize));
        await postBytes(out, 'uv', buf.subarray(ySize));
        return {
          format: frame.format, codedWidth: frame.codedWidth, codedHeight: frame.codedHeight, timestamp: frame.timestamp,
          matrix: frame.colorSpace.matrix, fullRange: frame.colorSpace.fullRange,
        };
      } finally {
        frame.close();
      }
    } finally {
      pass.destroy();
    }
  });
}
