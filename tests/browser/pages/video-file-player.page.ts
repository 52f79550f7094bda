/**
 * Page side of the video-file player test: opens a clip served by the byte server and drives
 * frameAt with simulated program times in 1/30 s steps, applying scripted pause/play/restart
 * and reading chosen frames back as RGBA.
 */
import { DECODE_AHEAD, VideoFilePlayer, type PlayerState, type VideoFilePlayerStats } from '../../../src/sources/video-file-player.ts';
import { fetchBytes, postBytes } from '../../reference/page-io.ts';

const TICK_US = 1e6 / 30;
/** Real time between ticks, so decoding can run ahead of the simulated clock. */
const TICK_WAIT_MS = 4;
/** Before a recorded tick: how long decoding must stand still with a partly filled queue (end of file) to count as caught up. */
const STILL_MS = 1000;
const SETTLE_MAX_MS = 10_000;

export interface Info { width: number; height: number; durationUs: number; hasAudio: boolean }

export interface Failure { error: string; message: string }

/** `op` runs at the first tick at or after `atUs`: controls before that tick's frameAt, records after it. */
export interface Action { atUs: number; op: 'pause' | 'play' | 'restart' | 'loop-off' | 'snapshot' | 'capture' }

export interface Snapshot {
  atUs: number;
  programUs: number;
  /** Index into the posted captures (`${out}/cap${n}`), for 'capture' actions. */
  capture: number | null;
  hasFrame: boolean;
  frameTimestamp: number | null;
  positionUs: number;
  state: PlayerState;
  stats: VideoFilePlayerStats;
}

export interface DriveResult {
  snapshots: Snapshot[];
  stats: VideoFilePlayerStats;
  /** Only when closing was checked: frames constructed during the run, and how many are still open after close(). */
  constructed?: number;
  openAfterClose?: number;
  returnedOpenAfterClose?: number;
  /** What frameAt threw, if it did (the run stops there); `sameAsError`: it is the player's `error`. */
  thrown?: Failure & { programUs: number; sameAsError: boolean; thrownAgain: boolean };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Repeats frameAt(p) until the player shows the newest frame it can for `p`: a call that shows
 * nothing new while the decode-ahead queue is full (every queued frame is in the future), the
 * player has ended, or decoding has stood still (end of file). On a loaded machine the decoder
 * may start late or stall, and the frame shown would then say nothing about the clock logic.
 */
async function settle(player: VideoFilePlayer, p: number): Promise<void> {
  const t0 = performance.now();
  let shown = -1, decoded = -1, since = t0;
  while (performance.now() - t0 < SETTLE_MAX_MS) {
    player.frameAt(p);
    const s = player.stats();
    if (s.framesDecoded !== decoded) { decoded = s.framesDecoded; since = performance.now(); }
    const still = performance.now() - since >= STILL_MS;
    if (s.framesShown === shown && (s.queued >= DECODE_AHEAD || player.state === 'ended' || still)) return;
    shown = s.framesShown;
    await sleep(10);
  }
}

async function load(url: string, name: string): Promise<File> {
  return new File([await fetchBytes(url) as Uint8Array<ArrayBuffer>], name);
}

/** Opens and closes a clip; returns its properties or the error open threw. */
export async function probe(url: string, name: string): Promise<Info | Failure> {
  try {
    const p = await VideoFilePlayer.open(await load(url, name));
    const info = { width: p.width, height: p.height, durationUs: p.durationUs, hasAudio: p.hasAudio };
    p.close();
    return info;
  } catch (e) {
    return failure(e);
  }
}

function failure(e: unknown): Failure {
  return { error: e instanceof Error ? e.constructor.name : typeof e, message: e instanceof Error ? e.message : String(e) };
}

function readRgba(frame: VideoFrame): Uint8Array {
  const w = frame.displayWidth, h = frame.displayHeight;
  const ctx = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(frame, 0, 0, w, h);
  return new Uint8Array(ctx.getImageData(0, 0, w, h).data.buffer);
}

/**
 * Counts VideoFrames made through the constructor (the player's toVideoFrame copies) without
 * changing what they are: a Proxy keeps `instanceof VideoFrame` true for native frames.
 */
function trackFrames(): { frames: VideoFrame[]; restore(): void } {
  const Native = globalThis.VideoFrame;
  const frames: VideoFrame[] = [];
  globalThis.VideoFrame = new Proxy(Native, {
    construct(target, args) {
      const f = Reflect.construct(target, args) as VideoFrame;
      frames.push(f);
      return f;
    },
  });
  return { frames, restore() { globalThis.VideoFrame = Native; } };
}

/** Plays `url` from program time 0 to `endUs`; with `checkClose`, closes the player at the end and counts open frames. */
export async function drive(url: string, out: string, opts: { loop: boolean; endUs: number; actions: Action[]; checkClose?: boolean }): Promise<DriveResult> {
  const file = await load(url, 'clip');
  const tracker = opts.checkClose ? trackFrames() : null;
  const returned = new Set<VideoFrame>();
  const snapshots: Snapshot[] = [];
  const pending = [...opts.actions].sort((a, b) => a.atUs - b.atUs);
  let captures = 0;
  let player: VideoFilePlayer | null = null;
  try {
    player = await VideoFilePlayer.open(file, { loop: opts.loop });
    for (let k = 0; ; k++) {
      const p = Math.round(k * TICK_US);
      if (p > opts.endUs) break;
      const due = pending.filter((a) => a.atUs <= p);
      for (const a of due) pending.splice(pending.indexOf(a), 1);
      for (const a of due) {
        if (a.op === 'pause') player.pause(p);
        else if (a.op === 'play') player.play(p);
        else if (a.op === 'restart') player.restart(p);
        else if (a.op === 'loop-off') player.loop = false;
      }
      const records = due.filter((a) => a.op === 'snapshot' || a.op === 'capture');
      await (records.length ? settle(player, p) : sleep(TICK_WAIT_MS));
      let frame: VideoFrame | null;
      try {
        frame = player.frameAt(p);
      } catch (e) {
        let thrownAgain = false;
        try { player.frameAt(p + TICK_US); } catch (again) { thrownAgain = again === e; }
        const f = failure(e);
        return { snapshots, stats: player.stats(), thrown: { ...f, programUs: p, sameAsError: player.error === e, thrownAgain } };
      }
      if (frame) returned.add(frame);
      for (const a of records) {
        let capture: number | null = null;
        if (a.op === 'capture' && frame) {
          capture = captures++;
          await postBytes(out, `cap${capture}`, readRgba(frame));
        }
        snapshots.push({
          atUs: a.atUs, programUs: p, capture, hasFrame: frame !== null, frameTimestamp: frame?.timestamp ?? null,
          positionUs: player.positionUs, state: player.state, stats: player.stats(),
        });
      }
    }
    const result: DriveResult = { snapshots, stats: player.stats() };
    if (tracker) {
      player.close();
      // Let cancelled decoder work settle before counting.
      await sleep(300);
      result.constructed = tracker.frames.length;
      result.openAfterClose = tracker.frames.filter((f) => f.format !== null).length;
      result.returnedOpenAfterClose = [...returned].filter((f) => f.format !== null).length;
    }
    return result;
  } finally {
    player?.close();
    tracker?.restore();
  }
}
