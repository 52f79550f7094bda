// Finishing a recording: the time to turn a fragmented MP4 in OPFS into a regular MP4 (moov in
// front) with finalizeRecording, as a clean stop does. The input is what the recorder writes:
// H.264 720p30 from the shared webcam clip, its packets looped to RECORDING_S seconds with a key
// frame and a fragment every second, stereo AAC-sized audio packets beside it. Runs in the bench page.
import { BlobSource, BufferTarget, EncodedAudioPacketSource, EncodedPacket, EncodedPacketSink, EncodedVideoPacketSource, Input, MP4, Mp4OutputFormat, Output } from 'mediabunny';
import { finalizeRecording } from '../src/mux/finalize.ts';
import { recordingsDir } from '../src/mux/opfs-sink.ts';
import { removeMeta } from '../src/mux/recording-meta.ts';
import { remuxToRegularMp4, type PositionedWrite } from '../src/mux/remux.ts';
import { MEDIA_PREFIX, matchesFilter, median, type BenchResult } from './types.ts';

export const names = ['remux-720p-120s'] as const;
export const filterable = true;

const RECORDING_S = 120;
const RUNS = 3;
/** A real AAC-LC config (48 kHz stereo); the packets are filler of AAC's size, never decoded. */
const AAC_CONFIG = { codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2, description: new Uint8Array([0x11, 0x90]) };

/** A fragmented MP4 of RECORDING_S seconds, made of the clip's packets looped (each loop starts on its key frame). */
async function fragmentedRecording(): Promise<Uint8Array> {
  const res = await fetch(MEDIA_PREFIX + 'webcam_man_1280x720_30fps.mp4');
  if (!res.ok) throw new Error(`fetch clip: ${res.status}`);
  const input = new Input({ source: new BlobSource(await res.blob()), formats: [MP4] });
  const track = (await input.getPrimaryVideoTrack())!;
  const config = (await track.getDecoderConfig())!;
  const packets: EncodedPacket[] = [];
  for await (const p of new EncodedPacketSink(track).packets()) packets.push(p);
  const clipS = packets.length / 30;
  const target = new BufferTarget();
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: 1 }), target });
  const video = new EncodedVideoPacketSource('avc');
  const audio = new EncodedAudioPacketSource('aac');
  output.addVideoTrack(video, { frameRate: 30 });
  output.addAudioTrack(audio);
  await output.start();
  const aacFrameS = 1024 / 48000;
  let audioT = 0, n = 0;
  for (let loop = 0; loop * clipS < RECORDING_S; loop++) {
    for (const p of packets) {
      const t = loop * clipS + p.timestamp;
      if (t >= RECORDING_S) break;
      // Key frames every second, as the recorder asks of its encoder (the clip's GOP decides here).
      await video.add(new EncodedPacket(p.data, p.type, t, p.duration), n++ === 0 ? { decoderConfig: config } : undefined);
      for (; audioT < t + p.duration; audioT += aacFrameS) {
        await audio.add(new EncodedPacket(new Uint8Array(256), 'key', audioT, aacFrameS), audioT === 0 ? { decoderConfig: AAC_CONFIG } : undefined);
      }
    }
  }
  await output.finalize();
  input.dispose();
  return new Uint8Array(target.buffer!);
}

/** Times finalizeRecording on the same recording RUNS times, and the remux alone into a discarding stream. */
export default async function run(filter?: string): Promise<BenchResult[]> {
  if (!matchesFilter(names[0], filter)) return [];
  const bytes = await fragmentedRecording();
  const dir = await recordingsDir();
  const total: number[] = [], copy: number[] = [], cpu: number[] = [];
  let outBytes = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const w = await (await dir.getFileHandle('bench-remux.recording.mp4', { create: true })).createWritable();
    await w.write(bytes as Uint8Array<ArrayBuffer>);
    await w.close();
    const t0 = performance.now();
    const done = await finalizeRecording('bench-remux.recording.mp4');
    const ms = performance.now() - t0;
    if (done.fragmented) throw new Error(`the bench recording was not finalised: ${done.warning?.message}`);
    outBytes = done.file.size;
    await dir.removeEntry('bench-remux.mp4');
    await removeMeta('bench-remux.mp4');
    const t1 = performance.now();
    await remuxToRegularMp4(new Blob([bytes as Uint8Array<ArrayBuffer>]), new WritableStream<PositionedWrite>({ write: () => {} }));
    const cpuMs = performance.now() - t1;
    if (i === 0) continue; // warm-up: module loading, first OPFS use
    total.push(ms); copy.push(done.remuxMs); cpu.push(cpuMs);
  }
  const mb = bytes.byteLength / 1e6;
  return [{
    name: names[0], median_ms: median(total), n: RUNS,
    recording_s: RECORDING_S, input_mb: +mb.toFixed(1), output_mb: +(outBytes / 1e6).toFixed(1),
    remux_median_ms: +median(copy).toFixed(1), remux_to_memoryless_sink_median_ms: +median(cpu).toFixed(1),
    mb_per_s: +(mb / (median(total) / 1000)).toFixed(1), ms_per_recorded_minute: +(median(total) / (RECORDING_S / 60)).toFixed(0),
  }];
}
