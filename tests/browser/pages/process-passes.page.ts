/**
 * Page side of the file-processing kernel tests: OrientPass, RgbaToNv12AlphaPass and
 * MirrorAveragePass on bytes fetched from the test's byte server; results posted back.
 */
import { OrientPass, type Rotation } from '../../../src/gpu/passes/orient.ts';
import { RgbaToNv12AlphaPass } from '../../../src/gpu/passes/rgba-to-nv12-alpha.ts';
import { MirrorAveragePass } from '../../../src/gpu/passes/mirror-average.ts';
import { fetchBytes, postBytes } from '../../reference/page-io.ts';
import { withGpu } from './gpu-harness.ts';

/** Rotates and evens the RGBA image at `input`; posts `${out}/rgba` and returns the output size. */
export async function orient(input: string, out: string, width: number, height: number, rotation: Rotation): Promise<[number, number]> {
  const data = await fetchBytes(input);
  return withGpu(async (t) => {
    const pass = new OrientPass(t.device);
    try {
      const enc = t.device.createCommandEncoder();
      const dst = pass.encode(enc, t.textureFromRgba(data, width, height), rotation);
      t.device.queue.submit([enc.finish()]);
      await postBytes(out, 'rgba', await t.readTexture(dst));
      return [dst.width, dst.height];
    } finally {
      pass.destroy();
    }
  });
}

/** Splits the RGBA image at `input` into colour and alpha NV12 frames; posts their tight planes (`cy`, `cuv`, `ay`, `auv`). */
export async function nv12Alpha(input: string, out: string, width: number, height: number): Promise<string[]> {
  const data = await fetchBytes(input);
  return withGpu(async (t) => {
    const pass = new RgbaToNv12AlphaPass(t.device);
    try {
      const enc = t.device.createCommandEncoder();
      const read = pass.encode(enc, t.textureFromRgba(data, width, height), 5678, 33_333);
      if (!read) throw new Error('no readback buffer free');
      t.device.queue.submit([enc.finish()]);
      const { color, alpha } = await read();
      const formats: string[] = [];
      for (const [f, tag] of [[color, 'c'], [alpha, 'a']] as const) {
        try {
          const ySize = width * height, buf = new Uint8Array(ySize + width * (height / 2));
          await f.copyTo(buf, { layout: [{ offset: 0, stride: width }, { offset: ySize, stride: width }] });
          await postBytes(out, `${tag}y`, buf.subarray(0, ySize));
          await postBytes(out, `${tag}uv`, buf.subarray(ySize));
          formats.push(`${f.format} ${f.codedWidth}x${f.codedHeight} t=${f.timestamp} d=${f.duration}`);
        } finally {
          f.close();
        }
      }
      return formats;
    } finally {
      pass.destroy();
    }
  });
}

/** Mirrors the NCHW f32 tensor at `tensor` (3 planes) and averages the masks at `a` and `b`; posts `mirrored` and `average`. */
export async function mirrorAverage(tensor: string, a: string, b: string, out: string, width: number, height: number): Promise<void> {
  const [x, ma, mb] = await Promise.all([fetchBytes(tensor), fetchBytes(a), fetchBytes(b)]);
  await withGpu(async (t) => {
    const pass = new MirrorAveragePass(t.device, width, height);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const buf = (bytes: Uint8Array | number) => {
      const size = typeof bytes === 'number' ? bytes : bytes.byteLength;
      const g = t.buffer({ size, usage });
      if (typeof bytes !== 'number') t.device.queue.writeBuffer(g, 0, bytes);
      return g;
    };
    try {
      const src = buf(x), dst = buf(x.byteLength), ga = buf(ma), gb = buf(mb), avg = buf(ma.byteLength);
      const enc = t.device.createCommandEncoder();
      pass.mirror(enc, src, dst);
      pass.average(enc, ga, gb, avg);
      t.device.queue.submit([enc.finish()]);
      await postBytes(out, 'mirrored', await t.readBuffer(dst));
      await postBytes(out, 'average', await t.readBuffer(avg));
    } finally {
      pass.destroy();
    }
  });
}
