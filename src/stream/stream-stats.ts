/** Where a live stream is: OBS's states, plus 'connecting' for the first offer. */
export type StreamState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopping';

/** The stream's figures, in OBS's wording where OBS has one (studio.getStats().stream). */
export interface StreamStats {
  state: StreamState;
  /** What the status line shows: "Live", "Connecting…", "Reconnecting… (attempt 2)", "Offline". */
  status: string;
  /** The WHIP URL (never the token). */
  url: string | null;
  /** The video codec the server took ("H.264"), and the audio one. */
  videoCodec: string | null;
  audioCodec: string | null;
  /** The RTCPeerConnection's state ("connected", "disconnected"...), null between sessions. */
  connectionState: string | null;
  /** Milliseconds since the stream went live the first time. */
  uptimeMs: number;
  /** Sessions resumed after the connection was lost; the attempt under way while reconnecting. */
  reconnects: number;
  reconnectAttempt: number;
  /** Bitrate sent over the last second (video + audio, kbit/s), and the cap asked for. */
  bitrateKbps: number;
  maxBitrateKbps: number | null;
  /** Round-trip time to the server (ms), from RTCP; null before the first report. */
  rttMs: number | null;
  /** Packets the server reported lost, of those sent (%). */
  packetLossPercent: number | null;
  /** Video frames sent, over every session. */
  framesSent: number;
  /** OBS's "Dropped frames (network)": frames WebRTC was given but did not send (its encoder skipped them for bandwidth or CPU). */
  droppedFramesNetwork: number;
  droppedFramesNetworkPercent: number;
  /** Program frames the stream's hand-off dropped because the page had not taken the earlier ones (rendering lag). */
  droppedFramesHandoff: number;
  width: number;
  height: number;
  fps: number;
  /** What limits the encoder now: 'none', 'bandwidth', 'cpu', 'other'. */
  qualityLimitation: string | null;
  /** The last error, as shown to the person (kept after the stream stopped). */
  lastError: string | null;
}

/** One getStats() report boiled down to what the stream shows. */
export interface SessionSample {
  /** The report's time (ms). */
  at: number;
  videoBytes: number;
  audioBytes: number;
  packetsSent: number;
  packetsLost: number;
  framesSent: number;
  framesIn: number;
  width: number;
  height: number;
  fps: number;
  rttMs: number | null;
  qualityLimitation: string | null;
  videoCodecId: string | null;
  audioCodecId: string | null;
  /** When a packet last came back from the server (ms, the report's clock); null when unknown. */
  lastReceivedAt: number | null;
}

type Stat = Record<string, unknown> & { type: string; id: string };
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Reads the outbound, remote-inbound, media-source and selected candidate-pair entries of a report. */
export function sampleReport(report: Iterable<Stat>): SessionSample {
  const s: SessionSample = {
    at: 0, videoBytes: 0, audioBytes: 0, packetsSent: 0, packetsLost: 0, framesSent: 0, framesIn: 0, width: 0, height: 0, fps: 0,
    rttMs: null, qualityLimitation: null, videoCodecId: null, audioCodecId: null, lastReceivedAt: null,
  };
  const pairs: Stat[] = [];
  let selectedPair: string | null = null;
  for (const r of report) {
    s.at = Math.max(s.at, num(r.timestamp));
    if (r.type === 'outbound-rtp') {
      s.packetsSent += num(r.packetsSent);
      if (r.kind === 'video') {
        s.videoBytes += num(r.bytesSent) + num(r.headerBytesSent);
        s.framesSent += num(r.framesSent);
        s.width = num(r.frameWidth); s.height = num(r.frameHeight); s.fps = num(r.framesPerSecond);
        s.qualityLimitation = typeof r.qualityLimitationReason === 'string' ? r.qualityLimitationReason : null;
        s.videoCodecId = typeof r.codecId === 'string' ? r.codecId : null;
      } else {
        s.audioBytes += num(r.bytesSent) + num(r.headerBytesSent);
        s.audioCodecId = typeof r.codecId === 'string' ? r.codecId : null;
      }
    } else if (r.type === 'remote-inbound-rtp') {
      s.packetsLost += Math.max(0, num(r.packetsLost));
      if (r.kind === 'video' && typeof r.roundTripTime === 'number') s.rttMs = r.roundTripTime * 1000;
      else if (s.rttMs === null && typeof r.roundTripTime === 'number') s.rttMs = r.roundTripTime * 1000;
    } else if (r.type === 'media-source' && r.kind === 'video') {
      s.framesIn += num(r.frames);
    } else if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') {
      selectedPair = r.selectedCandidatePairId;
    } else if (r.type === 'candidate-pair') {
      pairs.push(r);
    }
  }
  const pair = pairs.find((p) => p.id === selectedPair) ?? pairs.find((p) => p.nominated === true && p.state === 'succeeded');
  if (pair) {
    if (typeof pair.lastPacketReceivedTimestamp === 'number') s.lastReceivedAt = pair.lastPacketReceivedTimestamp;
    if (s.rttMs === null && typeof pair.currentRoundTripTime === 'number') s.rttMs = pair.currentRoundTripTime * 1000;
  }
  return s;
}

/** Kilobits per second between two samples of one session. */
export function bitrateKbps(prev: SessionSample | null, cur: SessionSample): number {
  if (!prev || cur.at <= prev.at) return 0;
  const bytes = cur.videoBytes + cur.audioBytes - prev.videoBytes - prev.audioBytes;
  return Math.max(0, (bytes * 8) / (cur.at - prev.at));
}

/** Totals over every session of a stream: a new RTCPeerConnection starts its counters at zero. */
export class StreamTotals {
  private ended = { framesSent: 0, framesIn: 0, packetsSent: 0, packetsLost: 0 };
  private current: SessionSample | null = null;
  private previous: SessionSample | null = null;

  /** Takes the running session's newest sample; returns the bitrate since the one before. */
  add(sample: SessionSample): number {
    this.previous = this.current;
    this.current = sample;
    return bitrateKbps(this.previous, sample);
  }

  /** The running session ended: its counts join the totals. */
  endSession(): void {
    const c = this.current;
    if (c) {
      this.ended.framesSent += c.framesSent;
      this.ended.framesIn += c.framesIn;
      this.ended.packetsSent += c.packetsSent;
      this.ended.packetsLost += c.packetsLost;
    }
    this.current = this.previous = null;
  }

  get framesSent(): number { return this.ended.framesSent + (this.current?.framesSent ?? 0); }
  /** Frames given to WebRTC and not sent (never negative: a frame in the encoder at sample time is not dropped). */
  get droppedNetwork(): number {
    return Math.max(0, this.ended.framesIn - this.ended.framesSent) + Math.max(0, (this.current?.framesIn ?? 0) - (this.current?.framesSent ?? 0) - 2);
  }
  get packetLossPercent(): number | null {
    const sent = this.ended.packetsSent + (this.current?.packetsSent ?? 0);
    return sent > 0 ? (100 * (this.ended.packetsLost + (this.current?.packetsLost ?? 0))) / sent : null;
  }
  get latest(): SessionSample | null { return this.current; }
}
