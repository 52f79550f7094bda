// Page-side: real webcam frames for the video benches. bench/run.ts serves ../shared/media
// under MEDIA_PREFIX (the dev server may not read outside the repository).
import { ALL_FORMATS, BlobSource, Input, VideoSampleSink } from 'mediabunny';
import { MEDIA_PREFIX } from './types.ts';

/** A decoded frame as owned I420 bytes, so decoder buffers are not held across the bench. */
export interface I420Frame {
  data: Uint8Array;
  init: VideoFrameBufferInit;
}

/** Decodes the first `count` frames of a shared clip into I420 bytes. */
export async function loadI420Frames(clip: string, count: number): Promise<I420Frame[]> {
  const res = await fetch(MEDIA_PREFIX + clip);
  if (!res.ok) throw new Error(`fetch ${clip}: ${res.status} (is bench/run.ts serving ${MEDIA_PREFIX}?)`);
  const input = new Input({ source: new BlobSource(await res.blob()), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error(`${clip} has no video track`);
  const sink = new VideoSampleSink(track);
  const out: I420Frame[] = [];
  for await (const sample of sink.samples()) {
    try {
      const frame = sample.toVideoFrame();
      try {
        const { width, height } = frame.visibleRect!;
        // copyTo converts only to RGB formats, so the decoder has to hand out I420 itself.
        if (frame.format !== 'I420') throw new Error(`${clip}: decoder gave ${frame.format} frames, the bench needs I420`);
        const data = new Uint8Array(frame.allocationSize());
        const layout = await frame.copyTo(data);
        const cs = frame.colorSpace;
        out.push({
          data,
          init: {
            format: 'I420', codedWidth: width, codedHeight: height, layout,
            timestamp: Math.round((out.length * 1e6) / 30), duration: Math.round(1e6 / 30),
            colorSpace: { primaries: cs.primaries, transfer: cs.transfer, matrix: cs.matrix, fullRange: cs.fullRange },
          },
        });
      } finally {
        frame.close();
      }
    } finally {
      sample.close();
    }
    if (out.length >= count) break;
  }
  input.dispose();
  if (out.length < count) throw new Error(`${clip}: wanted ${count} frames, decoded ${out.length}`);
  return out;
}

/** A CPU-backed VideoFrame over the bytes (the constructor copies them). */
export function toVideoFrame(f: I420Frame): VideoFrame {
  return new VideoFrame(f.data, f.init);
}
