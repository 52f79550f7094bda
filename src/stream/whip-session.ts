import { CODEC_LABELS, codecOfMime, preferCodec, preferStereoOpus, sdpVideoCodecs, type StreamVideoCodec } from './codecs.ts';
import { StreamNegotiationError } from './stream-errors.ts';
import { sampleReport } from './stream-stats.ts';
import { deleteResource, patchIceRestart, postOffer, type WhipAnswer } from './whip-client.ts';

/** ICE gathering is awaited (no trickle) this long at most; host candidates take milliseconds. */
const GATHER_MS = 2000;
/** From the answer to media flowing. */
const CONNECT_MS = 8000;

/** What one WHIP session sends, and where. */
export interface SessionOptions {
  url: string;
  token?: string;
  video: MediaStreamTrack;
  audio: MediaStreamTrack | null;
  codec: StreamVideoCodec;
  /** Video bitrate cap (bit/s). */
  maxBitrate: number;
  /** STUN/TURN servers (an earlier answer's Link headers). */
  iceServers: RTCIceServer[];
}

function gathered(pc: RTCPeerConnection, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') { resolve(); return; }
    const done = () => { clearTimeout(t); pc.removeEventListener('icegatheringstatechange', check); resolve(); };
    const check = () => { if (pc.iceGatheringState === 'complete') done(); };
    const t = setTimeout(done, GATHER_MS);
    pc.addEventListener('icegatheringstatechange', check);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when the connection is up; rejects when it fails, after `ms`, or when aborted. */
function connected(pc: RTCPeerConnection, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (err?: unknown) => { clearTimeout(t); pc.removeEventListener('connectionstatechange', check); if (err) reject(err); else resolve(); };
    const check = () => {
      if (pc.connectionState === 'connected') finish();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        finish(new StreamNegotiationError('The server answered, but the media could not reach it (ICE failed). A firewall may block UDP to the server.', { retryable: true }));
      }
    };
    const t = setTimeout(() => finish(new StreamNegotiationError(`The server answered, but the media did not reach it within ${ms / 1000} s (ICE did not connect). ` +
      'A firewall may block UDP to the server.', { retryable: true })), ms);
    pc.addEventListener('connectionstatechange', check);
    signal?.addEventListener('abort', () => finish(signal.reason), { once: true });
    check();
  });
}

/** The server answered without the codec offered (or rejected the video). */
function refused(codec: StreamVideoCodec): StreamNegotiationError {
  return new StreamNegotiationError(`The server does not take ${CODEC_LABELS[codec]} video. Choose another codec (H.264 is the most widely taken).`);
}

/** The ICE part of a description for a restart PATCH (RFC 8840 fragment: credentials, one m-line, candidates). */
function iceFragment(sdp: string): string {
  const lines = sdp.split(/\r?\n/);
  const pick = (re: RegExp) => lines.filter((l) => re.test(l));
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  const mid = lines.slice(firstMedia).find((l) => l.startsWith('a=mid:'));
  return [...pick(/^a=ice-ufrag:/).slice(0, 1), ...pick(/^a=ice-pwd:/).slice(0, 1), ...pick(/^a=group:BUNDLE/),
    ...(firstMedia >= 0 ? [lines[firstMedia]!, ...(mid ? [mid] : [])] : []), ...pick(/^a=candidate:/), 'a=end-of-candidates', ''].join('\r\n');
}

/**
 * One publishing session: an RTCPeerConnection sending the program and the mix, negotiated
 * through one WHIP resource. A lost connection ends the session (the Streamer makes the next).
 */
export class WhipSession {
  /** Called once when the connection failed, or stayed disconnected; not after close(). */
  onLost: (() => void) | null = null;
  private closed = false;
  private lostTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(readonly pc: RTCPeerConnection, private readonly opts: SessionOptions, readonly answer: WhipAnswer) {
    pc.addEventListener('connectionstatechange', () => this.watch());
  }

  /** Offers, posts and connects; throws a StreamError (the half-made session is cleaned up). */
  static async open(opts: SessionOptions, signal: AbortSignal): Promise<WhipSession> {
    const pc = new RTCPeerConnection({ iceServers: opts.iceServers, bundlePolicy: 'max-bundle' });
    let answer: WhipAnswer | null = null;
    try {
      const video = pc.addTransceiver(opts.video, { direction: 'sendonly', streams: [] });
      video.setCodecPreferences(preferCodec(RTCRtpSender.getCapabilities('video')?.codecs ?? [], opts.codec));
      if (opts.audio) pc.addTransceiver(opts.audio, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc, signal);
      answer = await postOffer(opts.url, opts.token, pc.localDescription!.sdp, signal);
      if (!sdpVideoCodecs(answer.sdp).includes(opts.codec)) throw refused(opts.codec);
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: preferStereoOpus(answer.sdp) });
      } catch (e) {
        throw new StreamNegotiationError(`The server's answer could not be used (${e instanceof Error ? e.message : String(e)}).`);
      }
      if (video.currentDirection !== 'sendonly') throw refused(opts.codec);
      await capBitrate(video.sender, opts.maxBitrate);
      await connected(pc, CONNECT_MS, signal);
      return new WhipSession(pc, opts, answer);
    } catch (e) {
      pc.close();
      if (answer) void deleteResource(answer.resource, opts.token);
      throw e;
    }
  }

  /** The video codec the server took ("H.264"), from the sender's negotiated parameters. */
  get videoCodec(): string | null {
    const t = this.pc.getTransceivers().find((x) => x.sender.track?.kind === 'video');
    const c = codecOfMime(t?.sender.getParameters().codecs?.[0]?.mimeType ?? '');
    return c ? CODEC_LABELS[c] : null;
  }

  /** The audio codec ("opus"). */
  get audioCodec(): string | null {
    const t = this.pc.getTransceivers().find((x) => x.sender.track?.kind === 'audio');
    return t?.sender.getParameters().codecs?.[0]?.mimeType.replace(/^audio\//i, '') ?? null;
  }

  /** Whether the server takes ICE restarts on the resource. */
  get canRestartIce(): boolean { return this.answer.canPatch; }

  /** Changes the video bitrate cap of the running session (bit/s). */
  setMaxBitrate(bps: number): Promise<void> {
    const t = this.pc.getTransceivers().find((x) => x.sender.track?.kind === 'video');
    return t ? capBitrate(t.sender, bps) : Promise.resolve();
  }

  /** An ICE restart through a PATCH of the resource; resolves true when media flows again within `ms`. */
  async restartIce(ms: number): Promise<boolean> {
    try {
      const before = sampleReport((await this.stats()).values()).lastReceivedAt ?? 0;
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: true }));
      await gathered(this.pc, new AbortController().signal);
      const frag = await patchIceRestart(this.answer.resource, this.opts.token, iceFragment(this.pc.localDescription!.sdp));
      const ufrag = /a=ice-ufrag:(\S+)/.exec(frag)?.[1], pwd = /a=ice-pwd:(\S+)/.exec(frag)?.[1];
      if (!ufrag || !pwd || this.closed) return false;
      const remote = this.pc.currentRemoteDescription!.sdp.replace(/a=ice-ufrag:\S+/g, `a=ice-ufrag:${ufrag}`).replace(/a=ice-pwd:\S+/g, `a=ice-pwd:${pwd}`);
      await this.pc.setRemoteDescription({ type: 'answer', sdp: remote });
      // 'connected' may be the state from before the loss: only a packet from the server proves it is back.
      for (const end = performance.now() + ms; performance.now() < end && !this.closed;) {
        await new Promise((r) => setTimeout(r, 250));
        const last = sampleReport((await this.stats()).values()).lastReceivedAt ?? 0;
        if (this.pc.connectionState === 'connected' && last > before) return true;
      }
      return false;
    } catch {
      return false;
    }
  }

  /** Counts this session's send statistics. */
  stats(): Promise<RTCStatsReport> { return this.pc.getStats(); }

  /** Says the connection is lost now (the watchdog saw nothing come back from the server). */
  lost(): void {
    if (this.closed || !this.onLost) return;
    const cb = this.onLost;
    this.onLost = null;
    cb();
  }

  /** Closes the connection and DELETEs the resource (`tellServer` false after the server is known gone). */
  async close(tellServer = true): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onLost = null;
    if (this.lostTimer) clearTimeout(this.lostTimer);
    // DELETE first: a server that sees the connection close first may tear down before the request arrives.
    if (tellServer) await deleteResource(this.answer.resource, this.opts.token);
    this.pc.close();
  }

  /** The page is going away: DELETE with keepalive, so the server ends the session now rather than at its ICE timeout. */
  closeOnUnload(): void {
    if (this.closed) return;
    this.closed = true;
    void deleteResource(this.answer.resource, this.opts.token, true);
    this.pc.close();
  }

  /** 'failed' is lost at once; 'disconnected' is lost when it lasts (ICE often recovers from a blip by itself). */
  private watch(): void {
    const s = this.pc.connectionState;
    if (s === 'failed') this.lost();
    else if (s === 'disconnected') this.lostTimer ??= setTimeout(() => { this.lostTimer = null; if (this.pc.connectionState !== 'connected') this.lost(); }, 2000);
    else if (s === 'connected' && this.lostTimer) { clearTimeout(this.lostTimer); this.lostTimer = null; }
  }
}

/** Sets the video sender's bitrate cap and keeps the picture size (the program size is what the viewer should get). */
async function capBitrate(sender: RTCRtpSender, bps: number): Promise<void> {
  const p = sender.getParameters();
  if (!p.encodings?.length) return;
  p.encodings[0]!.maxBitrate = Math.round(bps);
  (p as RTCRtpSendParameters & { degradationPreference?: string }).degradationPreference = 'maintain-resolution';
  await sender.setParameters(p);
}
