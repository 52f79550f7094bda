/**
 * One file job: decode → GPU (ingest, upright, fresh mask, background, NV12) → encode → mux,
 * three stages running side by side, joined by bounded queues in which every stage waits for
 * the next one: nothing is dropped, so the output has exactly the decoded frames, with their
 * own timestamps and durations (variable frame rate stays variable). An error or a cancel in
 * any stage stops all of them, closes every frame in flight and removes the half-written file.
 *
 * The temporal filter does not look ahead here: it is a hold operator against flicker where the
 * picture is still, and on the DAVIS clips it moves mean IoU by under 0.001 either way, so a
 * look-ahead variant (a second mask state in the shared temporal pass, one more frame held) was
 * not worth changing the live chain's code for. The time a file affords goes into mirror
 * averaging instead (MirrorAveragingSegmenter), which measurably helps.
 */
import type { EffectsChain } from '../gpu/effects.ts';
import { asStudioError, MediaDecodeError, ProcessCancelledError, StudioError } from '../util/errors.ts';
import { BoundedQueue } from './bounded-queue.ts';
import { FrameStage, type EncodeFrames } from './frame-stage.ts';
import { ProcessOutputFile } from './output-file.ts';
import { containerAudioCodecs, OutputMux } from './output-mux.ts';
import { outputStem, planOutput } from './output-plan.ts';
import { ProgressMeter } from './progress.ts';
import type { ProcessOptions, ProcessProgress, ProcessResult, StageTimes } from './types.ts';
import { FrameEncoder } from './video-encode.ts';
import { VideoSource, type SourceFrame } from './video-source.ts';

/** A key frame at least this often (media time), so the output can be seeked. */
const KEY_EVERY_US = 2_000_000;
/** Progress reports at most this often. */
const PROGRESS_EVERY_MS = 250;

export interface PipelineContext {
  device: GPUDevice;
  /** A fresh chain for this job (its tracking and temporal history start with the file). */
  chain: EffectsChain;
  software: boolean;
  adapter: string;
  segmentation: 'webgpu' | 'wasm';
}

/** Processes `file` into the recordings folder; rejects with a typed error (ProcessCancelledError when `signal` aborts). */
export async function processVideo(ctx: PipelineContext, file: Blob, opts: ProcessOptions, signal: AbortSignal,
  onProgress: (p: ProcessProgress) => void): Promise<ProcessResult> {
  const wall0 = performance.now();
  const source = await VideoSource.open(file);
  const times: StageTimes = { decode: 0, ingest: 0, mask: 0, composite: 0, encode: 0, mux: 0 };
  const decoded = new BoundedQueue<SourceFrame>(3, (f) => f.frame.close());
  const ready = new BoundedQueue<EncodeFrames>(2, (f) => { f.color.close(); f.alpha?.close(); });
  const stage = new FrameStage(ctx.device, ctx.chain, ctx.software);
  let out: ProcessOutputFile | null = null, mux: OutputMux | null = null, encoder: FrameEncoder | null = null;
  const stop = (e: unknown) => { decoded.fail(e); ready.fail(e); encoder?.fail(e); };
  // A reason given with the abort (a lost GPU) is the error; a plain abort is a cancel.
  const abortError = () => signal.reason instanceof StudioError ? signal.reason : new ProcessCancelledError(`Processing ${source.label} was cancelled; nothing was saved.`);
  const onAbort = () => stop(abortError());
  signal.addEventListener('abort', onAbort);
  try {
    const plan = planOutput(opts, source.audioCodec, containerAudioCodecs);
    ctx.chain.setMaskOptions(opts.maskOptions ?? {});
    await stage.setBackground(opts.background);
    if (signal.aborted) onAbort();
    out = await ProcessOutputFile.create(outputStem((file as Partial<File>).name, opts.background), plan.container);
    const meter = new ProgressMeter(source.frameCount, source.durationS, wall0);
    let lastReport = 0, frames = 0, firstS = Infinity, endS = 0, width = 0, height = 0;
    const report = (force: boolean) => {
      const now = performance.now();
      if (force || now - lastReport >= PROGRESS_EVERY_MS) { lastReport = now; onProgress(meter.read(now)); }
    };
    report(true);

    const decodeTask = async () => {
      const it = source.frames();
      try {
        for (;;) {
          const t0 = performance.now();
          const r = await it.next();
          times.decode += performance.now() - t0;
          if (r.done) break;
          await decoded.push(r.value);
        }
        decoded.end();
      } finally {
        await it.return();
      }
    };
    const gpuTask = async () => {
      for (let f = await decoded.pop(); f; f = await decoded.pop()) {
        let frames: EncodeFrames;
        try {
          frames = await stage.run(f.frame, source.rotation, Math.round(f.timestamp * 1e6), Math.round(f.duration * 1e6), times);
        } finally {
          f.frame.close();
        }
        await ready.push(frames);
      }
      ready.end();
    };
    const encodeTask = async () => {
      let lastKeyUs = -Infinity;
      for (let f = await ready.pop(); f; f = await ready.pop()) {
        if (!encoder) {
          ({ encoder, mux } = await openOutput(f, opts, plan, source, out!, (e) => stop(e), (ts, dur) => {
            frames++;
            firstS = Math.min(firstS, ts);
            endS = Math.max(endS, ts + dur);
            meter.frame(performance.now(), endS);
            report(false);
          }));
          width = f.color.codedWidth;
          height = f.color.codedHeight;
        }
        const key = f.timestampUs - lastKeyUs >= KEY_EVERY_US;
        if (key) lastKeyUs = f.timestampUs;
        await encoder!.encode(f.color, f.alpha, key);
      }
      if (!encoder) throw new MediaDecodeError(`${source.label} has no video frames that could be decoded.`);
      await encoder.flush();
    };

    const tasks = [decodeTask(), gpuTask(), encodeTask()].map((p) => p.catch((e) => { stop(e); throw e; }));
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await mux!.finish();
    times.encode = encoder!.busyMs;
    times.mux = mux!.busyMs;
    if (frames !== mux!.videoPackets) throw new Error(`${frames} frames encoded but ${mux!.videoPackets} muxed`);
    const durationS = endS - Math.min(firstS, endS);
    report(true);
    const result = await out.commit(durationS * 1000);
    const wallMs = performance.now() - wall0;
    return {
      name: result.name, size: result.size, frames, inputFrames: source.frameCount, durationS, width, height, rotation: source.rotation,
      container: plan.container, videoCodec: encoder!.choice.config.codec, audio: plan.audio === 'copy' ? 'copied' : plan.audio === 'encode' ? 're-encoded' : 'none',
      transparent: plan.transparent, wallMs, realTimeFactor: (durationS * 1000) / wallMs, stages: times,
      segmentation: ctx.segmentation, adapter: ctx.adapter,
    };
  } catch (e) {
    throw signal.aborted ? abortError() : asStudioError(e, `Processing ${source.label} failed`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop(new ProcessCancelledError('The job ended.'));
    (encoder as FrameEncoder | null)?.close();
    await (mux as OutputMux | null)?.cancel().catch(() => {});
    await out?.discard();
    stage.destroy();
    source.dispose();
  }
}

/** Opens the encoder(s) at the first frame's size and the muxer for the chosen codec. */
async function openOutput(first: EncodeFrames, opts: ProcessOptions, plan: ReturnType<typeof planOutput>, source: VideoSource, out: ProcessOutputFile,
  onError: (e: unknown) => void, onFrame: (timestampS: number, durationS: number) => void): Promise<{ encoder: FrameEncoder; mux: OutputMux }> {
  let mux: OutputMux | null = null;
  const encoder = await FrameEncoder.create({
    codec: plan.videoCodec, container: plan.container, width: first.color.codedWidth, height: first.color.codedHeight,
    frameRate: source.frameRate, bitrate: opts.videoBitrate, transparent: plan.transparent,
  }, async (chunk, meta, alpha) => {
    await mux!.addVideo(chunk, meta, alpha);
    onFrame(chunk.timestamp / 1e6, (chunk.duration ?? 0) / 1e6);
  });
  try {
    mux = await OutputMux.start(out.writable, plan, source, encoder.choice.codec, onError);
  } catch (e) {
    encoder.close();
    throw e;
  }
  return { encoder, mux };
}
