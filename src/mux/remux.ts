import {
  Input, BlobSource, MP4, Output, Mp4OutputFormat, StreamTarget, EncodedPacketSink, EncodedVideoPacketSource, EncodedAudioPacketSource,
  type EncodedPacket, type InputTrack, type InputVideoTrack, type InputAudioTrack,
} from 'mediabunny';
import { chplBody, MAX_CHAPTERS, topLevelBoxes } from './mp4-boxes.ts';
import type { Chapter } from '../util/types.ts';

/** A positioned write, as mediabunny's StreamTarget and OPFS's FileSystemWritableFileStream both take it. */
export interface PositionedWrite { type: 'write'; data: Uint8Array; position: number }

export interface RemuxResult {
  /** The playable length: where the last packet of any track ends. */
  durationMs: number;
  videoPackets: number;
  audioPackets: number;
  /** The input ended in a cut-off fragment (a crash); the whole fragments before it were copied. */
  truncated: boolean;
  /** Chapters written (those before the end of the file, at most 255). */
  chapters: Chapter[];
}

/** The remux wrote nothing worth keeping: the input holds no video packet. */
export class EmptyRecordingError extends Error {}

interface Lane {
  track: InputTrack;
  /** Packets the input's index lists (the reserved index space is sized from it). */
  count: number;
  iter: AsyncGenerator<EncodedPacket, void, unknown>;
  next: EncodedPacket | null;
  add: (p: EncodedPacket, first: boolean) => Promise<void>;
  copied: number;
}

/**
 * Copies a (fragmented) MP4's video and audio packets, unchanged, into a regular MP4 with the
 * index (moov) in front, written to `writable`, which is closed when the file is whole.
 * Nothing is decoded or re-encoded, and only one packet per track is held in memory: the index
 * space is reserved from the packet counts of the input, so the output streams straight out.
 * Chapters go into `moov/udta/chpl` (the Nero chapter list ffmpeg reads).
 */
export async function remuxToRegularMp4(src: Blob, writable: WritableStream<PositionedWrite>, chapters: readonly Chapter[] = []): Promise<RemuxResult> {
  const { blob, truncated } = await wholeFragments(src);
  const input = new Input({ source: new BlobSource(blob), formats: [MP4] });
  try {
    const video = await input.getPrimaryVideoTrack();
    const audio = await input.getPrimaryAudioTrack();
    if (!video) throw new EmptyRecordingError('The recording holds no video track.');
    const output = new Output({
      format: new Mp4OutputFormat({ fastStart: 'reserve', metadataFormat: 'udta' }),
      target: new StreamTarget(writable as WritableStream<never>, { chunked: true, chunkSize: 4 * 2 ** 20 }),
    });
    const lanes = [await videoLane(video, output)];
    if (audio) lanes.push(await audioLane(audio, output));
    if (lanes[0]!.count === 0) throw new EmptyRecordingError('The recording holds no video frame.');
    const endMs = await listedEnd(lanes);
    const kept = chapters.filter((c) => c.timeMs >= 0 && c.timeMs < endMs).sort((a, b) => a.timeMs - b.timeMs).slice(0, MAX_CHAPTERS);
    // Tags must be set before start(): the reserved index space is measured with them in it.
    if (kept.length) output.setMetadataTags({ raw: { chpl: chplBody(kept) } });
    try {
      await output.start();
      const durationMs = await copyInterleaved(lanes);
      await output.finalize();
      return {
        durationMs, videoPackets: lanes[0]!.copied, audioPackets: lanes[1]?.copied ?? 0,
        truncated, chapters: kept,
      };
    } catch (e) {
      await output.cancel().catch(() => {});
      throw e;
    }
  } finally {
    input.dispose();
  }
}

async function videoLane(track: InputVideoTrack, output: Output): Promise<Lane> {
  const codec = track.codec;
  if (!codec) throw new Error('The recording\'s video codec is not one an MP4 can hold.');
  const config = await track.getDecoderConfig();
  const source = new EncodedVideoPacketSource(codec);
  const count = await countPackets(track);
  output.addVideoTrack(source, { maximumPacketCount: Math.max(1, count) });
  return lane(track, count, (p, first) => source.add(p, first && config ? { decoderConfig: config } : undefined));
}

async function audioLane(track: InputAudioTrack, output: Output): Promise<Lane> {
  const codec = track.codec;
  if (!codec) throw new Error('The recording\'s audio codec is not one an MP4 can hold.');
  const config = await track.getDecoderConfig();
  const source = new EncodedAudioPacketSource(codec);
  const count = await countPackets(track);
  output.addAudioTrack(source, { maximumPacketCount: Math.max(1, count) });
  return lane(track, count, (p, first) => source.add(p, first && config ? { decoderConfig: config } : undefined));
}

function lane(track: InputTrack, count: number, add: Lane['add']): Lane {
  return { track, count, iter: new EncodedPacketSink(track).packets(), next: null, add, copied: 0 };
}

/** Packets of a track as its index lists them (fragment headers only; no media data is read). */
async function countPackets(track: InputTrack): Promise<number> {
  let n = 0;
  for await (const _ of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) n++;
  return n;
}

/** Where the last listed packet of any track ends, in ms. */
async function listedEnd(lanes: Lane[]): Promise<number> {
  let endS = 0;
  for (const l of lanes) {
    const last = l.count ? await new EncodedPacketSink(l.track).getPacket(Infinity, { metadataOnly: true }).catch(() => null) : null;
    if (last) endS = Math.max(endS, last.timestamp + last.duration);
  }
  return endS * 1000;
}

/** Adds the packets of all lanes in timestamp order (interleaved, as players read them best). */
async function copyInterleaved(lanes: Lane[]): Promise<number> {
  let endS = 0;
  const pull = async (l: Lane) => {
    const r = l.copied < l.count ? await l.iter.next() : null;
    l.next = r && !r.done ? r.value : null;
  };
  try {
    for (const l of lanes) await pull(l);
    for (;;) {
      let pick: Lane | null = null;
      for (const l of lanes) if (l.next && (!pick || l.next.timestamp < pick.next!.timestamp)) pick = l;
      if (!pick) break;
      const p = pick.next!;
      await pick.add(p, pick.copied === 0);
      pick.copied++;
      endS = Math.max(endS, p.timestamp + p.duration);
      await pull(pick);
    }
  } finally {
    for (const l of lanes) await l.iter.return(undefined).catch(() => {});
  }
  return endS * 1000;
}

/**
 * The part of a fragmented MP4 made of whole boxes. A crash can cut the last fragment (its
 * moof or its mdat); that fragment is left out, so every packet copied has all its bytes.
 */
async function wholeFragments(src: Blob): Promise<{ blob: Blob; truncated: boolean }> {
  const layout = await topLevelBoxes(src);
  if (!layout.truncated) return { blob: src, truncated: false };
  const whole = layout.boxes.filter((b) => b.start + b.size <= src.size);
  // A moof whose media data never made it to disk describes nothing that can be read.
  while (whole.length && whole[whole.length - 1]!.type === 'moof') whole.pop();
  const last = whole[whole.length - 1];
  return { blob: src.slice(0, last ? last.start + last.size : 0), truncated: true };
}
