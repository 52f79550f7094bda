import * as Comlink from 'comlink';
import { CODEC_LABELS, chooseCodec, sendableCodecs, type StreamVideoCodec } from '../stream/codecs.ts';
import { FrameSink, canGenerateTracks } from '../stream/frame-sink.ts';
import { StreamError, StreamNegotiationError } from '../stream/stream-errors.ts';
import { StreamTotals, sampleReport, type StreamState, type StreamStats } from '../stream/stream-stats.ts';
import { parseWhipUrl } from '../stream/whip-client.ts';
import { WhipSession } from '../stream/whip-session.ts';
import { StudioStateError, asStudioError, type StudioError } from '../util/errors.ts';
import type { RenderWorkerApi } from '../worker-apis.ts';

/** What studio.startStream takes. */
export interface StreamOptions {
  /** The server's WHIP endpoint (https://…, or http:// on this machine). */
  url: string;
  /** Bearer token (the stream key); kept in memory only while streaming. */
  token?: string;
  /** Video codec; default the first this browser sends of H.264, VP8, VP9, AV1. */
  videoCodec?: StreamVideoCodec;
  /** Video bitrate cap in bit/s (default 2.5 Mbit/s). */
  videoBitrate?: number;
}

/** What a started stream sends. */
export interface StreamStartInfo { url: string; videoCodec: string; audioCodec: string | null; width: number; height: number; videoBitrate: number }

/** Callbacks of the streamer towards the studio facade. */
export interface StreamerEvents {
  /** The state (or the attempt under way) changed. */
  change(): void;
  error(e: StudioError): void;
}

const DEFAULT_BITRATE = 2_500_000;
/** Sessions tried after a loss before the stream gives up (about 4 minutes with the backoff). */
const MAX_ATTEMPTS = 30;
/** A live connection from which nothing came back for this long is lost (the server went away without a word). */
const SILENT_MS = 4000;
const POLL_MS = 1000;
/** An ICE restart must bring media back within this. */
const ICE_RESTART_MS = 5000;

/** The wait before reconnection attempt `n` (0-based): 0.5 s doubling to 10 s. */
export function retryDelayMs(n: number): number { return Math.min(10_000, 500 * 2 ** n); }

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/**
 * The live stream: program frames from the render worker (a link of their own, beside the
 * recorder's) and the mixer's master bus, published to a WHIP server. A lost connection is
 * retried with an ICE restart, then with new sessions after a growing wait, until it is back;
 * the recording never notices, as the stream has its own frames, encoder and drops.
 */
export class Streamer {
  state: StreamState = 'idle';
  private session: WhipSession | null = null;
  private sink: FrameSink | null = null;
  private audio: MediaStreamTrack | null = null;
  private opts: Required<Omit<StreamOptions, 'token' | 'videoCodec'>> & { token?: string; codec: StreamVideoCodec } | null = null;
  private abort: AbortController | null = null;
  /** The start or reconnection loop under way (stop waits for it). */
  private running: Promise<unknown> = Promise.resolve();
  private totals = new StreamTotals();
  private bitrate = 0;
  private liveSince = 0;
  private reconnects = 0;
  private attempt = 0;
  private lastError: string | null = null;
  private poller: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  private iceServers: RTCIceServer[] = [];
  private handoff = { framesSent: 0, dropped: 0 };
  private size = { width: 0, height: 0 };

  constructor(private readonly render: Comlink.Remote<RenderWorkerApi>, private readonly getAudio: () => Promise<MediaStreamTrack | null>,
    private readonly events: StreamerEvents) {
    globalThis.addEventListener?.('pagehide', () => this.session?.closeOnUnload());
  }

  private set(s: StreamState): void { this.state = s; this.events.change(); }

  /** Connects and resolves once media flows; rejects with a StreamError (the state goes back to idle). */
  start(o: StreamOptions): Promise<StreamStartInfo> {
    if (this.state !== 'idle') return Promise.reject(new StudioStateError('A stream is already running. Stop it first.'));
    const run = this.connect(o);
    this.running = run.catch(() => {});
    return run;
  }

  private async connect(o: StreamOptions): Promise<StreamStartInfo> {
    const url = parseWhipUrl(o.url).href;
    const sendable = sendableCodecs(RTCRtpSender.getCapabilities('video')?.codecs ?? []);
    const codec = chooseCodec(o.videoCodec, sendable);
    if (!codec) {
      throw new StreamNegotiationError(o.videoCodec ? `This browser cannot send ${CODEC_LABELS[o.videoCodec] ?? o.videoCodec} video; it can send ${sendable.map((c) => CODEC_LABELS[c]).join(', ') || 'none of H.264, VP8, VP9, AV1'}.`
        : 'This browser cannot send H.264, VP8, VP9 or AV1 video over WebRTC.');
    }
    const bitrate = o.videoBitrate ?? DEFAULT_BITRATE;
    if (!(bitrate >= 100_000 && bitrate <= 50_000_000)) throw new StudioStateError(`A video bitrate of ${bitrate} bit/s is out of range: use 100000 to 50000000 (0.1 to 50 Mbit/s).`);
    if (!canGenerateTracks()) throw new StreamError('This browser cannot make a video track of the program (MediaStreamTrackGenerator): streaming needs Chrome or Edge.');
    this.opts = { url, token: o.token || undefined, codec, videoBitrate: bitrate };
    this.totals = new StreamTotals();
    this.reconnects = this.attempt = this.bitrate = this.liveSince = 0;
    this.lastError = null;
    this.iceServers = [];
    const abort = new AbortController();
    this.abort = abort;
    this.set('connecting');
    try {
      const channel = new MessageChannel();
      this.sink = new FrameSink(channel.port1);
      this.size = await this.render.startStreamOutput(Comlink.transfer(channel.port2, [channel.port2]));
      const audio = await this.getAudio();
      this.audio = audio ? audio.clone() : null;
      const session = await WhipSession.open(this.sessionOptions(), abort.signal);
      if (abort.signal.aborted) { await session.close(); throw abort.signal.reason; }
      this.liveSince = performance.now();
      this.live(session);
      return { url, videoCodec: session.videoCodec ?? CODEC_LABELS[codec], audioCodec: session.audioCodec, ...this.size, videoBitrate: bitrate };
    } catch (e) {
      const err = abort.signal.aborted ? new StudioStateError('The stream was stopped before it went live.') : asStudioError(e, 'The stream could not be started');
      this.lastError = err.message;
      await this.teardown();
      this.set('idle');
      throw err;
    }
  }

  private sessionOptions() {
    const o = this.opts!;
    return { url: o.url, token: o.token, video: this.sink!.track, audio: this.audio, codec: o.codec, maxBitrate: o.videoBitrate, iceServers: this.iceServers };
  }

  private live(session: WhipSession): void {
    this.session = session;
    if (session.answer.iceServers.length) this.iceServers = session.answer.iceServers;
    session.onLost = () => { this.running = this.reconnect(session); };
    this.attempt = 0;
    this.poller ??= setInterval(() => void this.poll(), POLL_MS);
    this.set('live');
  }

  /** The connection was lost: an ICE restart first (the server may still hold the session), then new sessions. */
  private async reconnect(old: WhipSession): Promise<void> {
    const abort = this.abort!;
    if (this.state !== 'live' || abort.signal.aborted) return;
    this.totals.endSession();
    this.bitrate = 0;
    this.set('reconnecting');
    if (old.canRestartIce) {
      this.attempt = 1;
      this.events.change();
      if (await old.restartIce(ICE_RESTART_MS) && !abort.signal.aborted) {
        this.reconnects++;
        this.live(old);
        return;
      }
    }
    this.session = null;
    await old.close();
    for (let n = 0; n < MAX_ATTEMPTS && !abort.signal.aborted; n++) {
      this.attempt = n + 1;
      this.events.change();
      await sleep(retryDelayMs(n), abort.signal);
      if (abort.signal.aborted) return;
      try {
        const session = await WhipSession.open(this.sessionOptions(), abort.signal);
        if (abort.signal.aborted) { await session.close(); return; }
        this.reconnects++;
        this.live(session);
        return;
      } catch (e) {
        this.lastError = asStudioError(e).message;
      }
    }
    if (abort.signal.aborted) return;
    this.events.error(new StreamError(`The stream was lost and could not be resumed after ${MAX_ATTEMPTS} attempts (last: ${this.lastError ?? 'no answer'}). ` +
      'It has stopped; a recording goes on.'));
    await this.teardown();
    this.set('idle');
  }

  /** Reads the session's statistics; a live connection from which nothing came back lately is lost. */
  private async poll(): Promise<void> {
    const session = this.session;
    if (this.polling || !session) return;
    this.polling = true;
    try {
      const [report, handoff] = await Promise.all([session.stats(), this.render.streamOutputStats()]);
      this.handoff = handoff;
      if (session !== this.session || this.state !== 'live') return;
      const s = sampleReport(report.values());
      this.bitrate = this.totals.add(s);
      if (s.lastReceivedAt !== null && s.at - s.lastReceivedAt > SILENT_MS) session.lost();
    } catch {
      // A closed connection has no statistics; the next session will.
    } finally {
      this.polling = false;
    }
  }

  /** Stops streaming: the server is told (DELETE) and the stream's frames stop. */
  async stop(): Promise<void> {
    if (this.state === 'idle') throw new StudioStateError('Not streaming.');
    if (this.state === 'stopping') return this.running.then(() => {});
    this.set('stopping');
    this.abort?.abort(new StudioStateError('The stream was stopped.'));
    await this.running;
    await this.teardown();
    this.set('idle');
  }

  private async teardown(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    const session = this.session;
    this.session = null;
    this.totals.endSession();
    await session?.close();
    await this.render.stopStreamOutput().catch(() => {});
    this.handoff = await this.render.streamOutputStats().catch(() => this.handoff);
    this.sink?.close();
    this.sink = null;
    this.audio?.stop();
    this.audio = null;
    this.bitrate = 0;
  }

  /** The stream's figures (OBS's wording) for getStats(). */
  stats(): StreamStats {
    const s = this.session, t = this.totals, last = t.latest;
    const status = { idle: 'Offline', connecting: 'Connecting…', live: 'Live', stopping: 'Stopping…',
      reconnecting: this.attempt > 1 ? `Reconnecting… (attempt ${this.attempt})` : 'Reconnecting…' }[this.state];
    const dropped = t.droppedNetwork, sent = t.framesSent;
    return {
      state: this.state, status, url: this.opts?.url ?? null,
      videoCodec: s?.videoCodec ?? null, audioCodec: s?.audioCodec ?? null,
      connectionState: s?.pc.connectionState ?? null,
      uptimeMs: this.state === 'idle' || !this.liveSince ? 0 : performance.now() - this.liveSince,
      reconnects: this.reconnects, reconnectAttempt: this.state === 'reconnecting' ? this.attempt : 0,
      bitrateKbps: this.bitrate, maxBitrateKbps: this.opts ? this.opts.videoBitrate / 1000 : null,
      rttMs: last?.rttMs ?? null, packetLossPercent: t.packetLossPercent,
      framesSent: sent, droppedFramesNetwork: dropped, droppedFramesNetworkPercent: sent + dropped > 0 ? (100 * dropped) / (sent + dropped) : 0,
      droppedFramesHandoff: this.handoff.dropped,
      width: last?.width || this.size.width, height: last?.height || this.size.height, fps: last?.fps ?? 0,
      qualityLimitation: last?.qualityLimitation ?? null, lastError: this.lastError,
    };
  }
}
