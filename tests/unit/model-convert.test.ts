/**
 * The TFLite → ONNX converter must reproduce the reference ONNX exports of MediaPipe
 * Selfie Segmentation on real webcam frames, run through the same onnxruntime-web wasm
 * backend the studio uses.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModels, defaultPackageDir } from '../../scripts/convert-models.ts';
import { convertTfliteToOnnx, tfliteToOnnxModel } from '../../scripts/tflite-to-onnx.ts';
import { BuiltinOp, parseTflite } from '../../scripts/tflite/schema.ts';
import { decodeFrames, hasFfmpeg, toModelInput } from './helpers/frames.ts';
import type { RgbFrame } from './helpers/frames.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = join(REPO, '../shared');
const TFLITE = join(defaultPackageDir(), 'selfie_segmentation.tflite');

const CASES = [
  { onnx: 'selfie_segmentation.onnx', reference: 'selfie_segmentation_256x256.onnx', width: 256, height: 256 },
  { onnx: 'selfie_segmentation_landscape.onnx', reference: 'selfie_segmentation_landscape_144x256.onnx', width: 256, height: 144 },
] as const;

const VIDEOS = [
  { file: 'webcam_woman_640x480_30fps.mp4', width: 640, height: 480 },
  { file: 'webcam_man_1280x720_30fps.mp4', width: 1280, height: 720 },
] as const;
const FRAMES_PER_VIDEO = 3;
const TOLERANCE = 1e-4;

const haveReferences =
  hasFfmpeg() &&
  CASES.every((c) => existsSync(join(SHARED, 'models', c.reference))) &&
  VIDEOS.every((v) => existsSync(join(SHARED, 'media', v.file)));

// One thread: no worker/SharedArrayBuffer setup in Node, and deterministic results.
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = join(REPO, 'node_modules/onnxruntime-web/dist/');

async function session(path: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(readFileSync(path), { executionProviders: ['wasm'] });
}

async function infer(s: ort.InferenceSession, input: Float32Array, width: number, height: number): Promise<Float32Array> {
  const out = await s.run({ pixel_values: new ort.Tensor('float32', input, [1, 3, height, width]) });
  const alphas = out['alphas'];
  expect(alphas?.dims).toEqual([1, 1, height, width]);
  // Copy so no later run can alias or overwrite the result we compare against.
  return (alphas!.data as Float32Array).slice();
}

describe('tflite-to-onnx model conversion', () => {
  let outDir = '';

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'model-convert-'));
    convertModels({ outDir, force: true });
  });

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('writes both models with the studio input/output names and skips up-to-date outputs', async () => {
    for (const c of CASES) {
      const s = await session(join(outDir, c.onnx));
      expect(s.inputNames).toEqual(['pixel_values']);
      expect(s.outputNames).toEqual(['alphas']);
      await s.release();
    }
    // Pin the outputs' mtime into the future so "newer than every input" holds regardless of clock skew.
    const future = new Date(Date.now() + 60_000);
    for (const c of CASES) utimesSync(join(outDir, c.onnx), future, future);
    const again = convertModels({ outDir });
    expect(again.map((r) => r.skipped)).toEqual([true, true]);
    expect(Math.abs(statSync(join(outDir, CASES[0].onnx)).mtimeMs - future.getTime())).toBeLessThan(1);
    // An output older than its sources is stale and must be rebuilt.
    const past = new Date(0);
    utimesSync(join(outDir, CASES[1].onnx), past, past);
    expect(convertModels({ outDir }).map((r) => r.skipped)).toEqual([true, false]);
  });

  describe.skipIf(!haveReferences)('matches the reference ONNX exports on real webcam frames', () => {
    const frames: { name: string; frame: RgbFrame }[] = [];

    beforeAll(() => {
      for (const v of VIDEOS) {
        decodeFrames(join(SHARED, 'media', v.file), v.width, v.height, FRAMES_PER_VIDEO).forEach((frame, i) =>
          frames.push({ name: `${v.file}#${i}s`, frame }),
        );
      }
    });

    for (const c of CASES) {
      it(`${c.onnx} vs ${c.reference}`, async () => {
        const converted = await session(join(outDir, c.onnx));
        const reference = await session(join(SHARED, 'models', c.reference));
        let worst = 0;
        for (const { name, frame } of frames) {
          const input = toModelInput(frame, c.width, c.height);
          const a = await infer(converted, input, c.width, c.height);
          const b = await infer(reference, input, c.width, c.height);
          let maxDiff = 0;
          let person = 0;
          for (let i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
            if (a[i]! > 0.5) person++;
          }
          // A webcam frame of a person must give a non-trivial mask, or equality would prove little.
          expect(person / a.length, `${name}: person fraction`).toBeGreaterThan(0.05);
          expect(person / a.length, `${name}: person fraction`).toBeLessThan(0.95);
          expect(maxDiff, `${c.onnx} on ${name}`).toBeLessThanOrEqual(TOLERANCE);
          worst = Math.max(worst, maxDiff);
        }
        console.log(`${c.onnx}: max |converted - reference| over ${frames.length} frames = ${worst.toExponential(2)}`);
        await converted.release();
        await reference.release();
      });
    }
  });

  it('rejects a truncated tflite file with a clear error', () => {
    const bytes = readFileSync(TFLITE);
    expect(() => convertTfliteToOnnx(bytes.subarray(0, 4096))).toThrow(/outside the \d+-byte buffer \(truncated or corrupt file\?\)/);
    expect(() => convertTfliteToOnnx(bytes.subarray(0, 6))).toThrow(/too short/);
  });

  it('rejects a file that is not a tflite model', () => {
    const bytes = new Uint8Array(readFileSync(TFLITE));
    bytes.set(new TextEncoder().encode('ONNX'), 4);
    expect(() => convertTfliteToOnnx(bytes)).toThrow(/file identifier is "ONNX", expected "TFL3"/);
  });

  it('names an unsupported operator', () => {
    const model = parseTflite(readFileSync(TFLITE));
    const op = model.operators.find((o) => o.builtinCode === BuiltinOp.HARD_SWISH)!;
    op.builtinCode = BuiltinOp.RESHAPE;
    expect(() => tfliteToOnnxModel(model)).toThrow(new RegExp(`operator #${op.index} RESHAPE: unsupported TFLite operator RESHAPE`));
    op.builtinCode = BuiltinOp.CUSTOM;
    op.customCode = 'MyCustomOp';
    expect(() => tfliteToOnnxModel(model)).toThrow(/unsupported custom TFLite operator "MyCustomOp"/);
  });
});
