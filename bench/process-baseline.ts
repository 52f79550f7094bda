// The baseline of bench/process.bench.ts: the usual local pipeline for removing a video's
// background, written plainly in Node. ffmpeg decodes to RGBA on a pipe, onnxruntime-node runs
// the same selfie model on the CPU, the OBS-style compositing of bench/cpu-effects.ts blurs the
// background in TypeScript, and ffmpeg (libx264) encodes from a pipe. Decoder and encoder are
// processes of their own, so they run beside the Node loop as they would in such a tool.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { repoRoot } from '../tests/helpers/media.ts';
import { bilinearTable, CpuBackgroundBlur, resamplePlane } from './cpu-effects.ts';

export interface BaselineResult {
  frames: number;
  wallMs: number;
  /** ms per stage, summed: waiting for decoded frames, model input + inference, compositing, handing frames to the encoder. */
  stages: { decode: number; inference: number; composite: number; encode: number };
}

const MODEL = join(repoRoot, 'public/models/selfie_segmentation.onnx');
const SIZE = 256;

/** Reads exactly `n` bytes at a time from a stream of decoded frames. */
async function* framesOf(stream: NodeJS.ReadableStream, n: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [], have = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending.push(chunk);
    have += chunk.length;
    while (have >= n) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, n);
      pending = [all.subarray(n)];
      have -= n;
    }
  }
}

/** Runs the CPU pipeline on `input` (w×h at `fps`) into `output` (H.264 MP4) with a blurred background. */
export async function runBaseline(input: string, output: string, w: number, h: number, fps: number, strength: number): Promise<BaselineResult> {
  const session = await ort.InferenceSession.create(MODEL, { graphOptimizationLevel: 'all' });
  const t0 = performance.now();
  const dec = spawn('ffmpeg', ['-v', 'error', '-i', input, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const enc = spawn('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${w}x${h}`, '-r', String(fps), '-i', '-',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', output], { stdio: ['pipe', 'ignore', 'inherit'] });
  const fx = new CpuBackgroundBlur(w, h, SIZE, SIZE, strength);
  const planes = [new Float32Array(w * h), new Float32Array(w * h), new Float32Array(w * h)];
  const tx = bilinearTable(w, SIZE), ty = bilinearTable(h, SIZE);
  const tensor = new Float32Array(3 * SIZE * SIZE);
  const stages = { decode: 0, inference: 0, composite: 0, encode: 0 };
  let frames = 0, t = performance.now();
  for await (const frame of framesOf(dec.stdout!, w * h * 4)) {
    stages.decode += performance.now() - t;
    t = performance.now();
    // Model input: bilinear resize of each channel to 256×256, NCHW in [0, 1].
    for (let i = 0; i < w * h; i++) { planes[0]![i] = frame[i * 4]! / 255; planes[1]![i] = frame[i * 4 + 1]! / 255; planes[2]![i] = frame[i * 4 + 2]! / 255; }
    for (let c = 0; c < 3; c++) resamplePlane(planes[c]!, w, tensor.subarray(c * SIZE * SIZE, (c + 1) * SIZE * SIZE), SIZE, SIZE, tx, ty);
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', tensor, [1, 3, SIZE, SIZE]) });
    const mask = out[session.outputNames[0]!]!.data as Float32Array;
    let t2 = performance.now();
    stages.inference += t2 - t;
    const rgba = new Uint8ClampedArray(w * h * 4);
    fx.run(frame, mask.subarray(0, SIZE * SIZE), rgba);
    t = performance.now();
    stages.composite += t - t2;
    if (!enc.stdin!.write(rgba)) await once(enc.stdin!, 'drain');
    t2 = performance.now();
    stages.encode += t2 - t;
    t = t2;
    frames++;
  }
  enc.stdin!.end();
  const [code] = await once(enc, 'exit') as [number];
  if (code !== 0) throw new Error(`the baseline's ffmpeg encoder exited with ${code}`);
  stages.encode += performance.now() - t;
  await session.release();
  return { frames, wallMs: performance.now() - t0, stages };
}
