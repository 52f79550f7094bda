import { h, formatDuration } from './dom.ts';
import type { Studio, StreamStats } from '../studio.ts';
import { CODEC_LABELS, STREAM_CODECS, sendableCodecs, type StreamVideoCodec } from '../stream/codecs.ts';

type Report = (e: unknown) => void;
type Row = [label: string, value: string, warn?: boolean];

/** URL, codec and bitrate are remembered; the token only for this tab (sessionStorage), never in exported scenes. */
const SETTINGS_KEY = 'backdrop.stream';
const TOKEN_KEY = 'backdrop.stream.token';
const DEFAULT_KBPS = 2500;

interface Saved { url: string; codec: StreamVideoCodec | 'auto'; kbps: number }

function load(): Saved {
  try {
    const v = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Saved>;
    return {
      url: typeof v.url === 'string' ? v.url : '',
      codec: STREAM_CODECS.includes(v.codec as StreamVideoCodec) ? v.codec as StreamVideoCodec : 'auto',
      kbps: typeof v.kbps === 'number' && v.kbps >= 100 && v.kbps <= 50_000 ? v.kbps : DEFAULT_KBPS,
    };
  } catch {
    return { url: '', codec: 'auto', kbps: DEFAULT_KBPS };
  }
}

/** The stream's rows, in OBS's wording where OBS has one. */
export function streamRows(s: StreamStats): Row[] {
  if (s.state === 'idle') return [];
  const pct = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)}%`;
  return [
    ['Connection', s.connectionState ?? '—', s.connectionState !== null && s.connectionState !== 'connected'],
    ['Dropped frames (network)', `${s.droppedFramesNetwork} (${pct(s.droppedFramesNetworkPercent)})`, s.droppedFramesNetwork > 0],
    ['Frames missed by the stream (rendering lag)', String(s.droppedFramesHandoff), s.droppedFramesHandoff > 0],
    ['Bitrate', `${Math.round(s.bitrateKbps)} kb/s${s.maxBitrateKbps ? ` (cap ${Math.round(s.maxBitrateKbps)})` : ''}`],
    ['Round-trip time', s.rttMs === null ? '—' : `${Math.round(s.rttMs)} ms`],
    ['Packet loss', s.packetLossPercent === null ? '—' : `${s.packetLossPercent.toFixed(2)}%`, (s.packetLossPercent ?? 0) > 1],
    ['Codec', s.videoCodec ? `${s.videoCodec}${s.audioCodec ? ` / ${s.audioCodec}` : ''}` : '—'],
    ['Video', s.width ? `${s.width}×${s.height}${s.fps ? ` @ ${Math.round(s.fps)}` : ''}` : '—'],
    ['Limited by', s.qualityLimitation ?? '—', !!s.qualityLimitation && s.qualityLimitation !== 'none'],
    ['Reconnects', String(s.reconnects), s.reconnects > 0],
    ['Live for', formatDuration(s.uptimeMs)],
  ];
}

/**
 * "Go live": a WHIP URL, a bearer token (a password field), codec and bitrate cap, Start/Stop,
 * the state ("Live", "Reconnecting…") and the stream's stats. Mounted as a panel of its own
 * right after `after` (the Output panel).
 */
export function mountStream(after: HTMLElement, studio: Studio, report: Report): void {
  const saved = load();
  const url = h('input', { type: 'url', id: 'stream-url', placeholder: 'https://server/whip/endpoint', autocomplete: 'off', spellcheck: 'false', value: saved.url });
  const token = h('input', { type: 'password', id: 'stream-token', autocomplete: 'off', placeholder: 'optional' });
  token.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const sendable = sendableCodecs(typeof RTCRtpSender === 'undefined' ? [] : RTCRtpSender.getCapabilities('video')?.codecs ?? []);
  const codec = h('select', { id: 'stream-codec' }, h('option', { value: 'auto', text: 'Automatic' }),
    ...STREAM_CODECS.map((c) => h('option', { value: c, text: CODEC_LABELS[c], disabled: !sendable.includes(c) })));
  codec.value = saved.codec;
  const kbps = h('input', { type: 'number', id: 'stream-bitrate', min: '100', max: '50000', step: '100', value: String(saved.kbps) });
  const button = h('button', { type: 'button', id: 'stream-toggle', class: 'primary' }, 'Go live');
  const status = h('p', { id: 'stream-status', class: 'hint-inline', role: 'status', 'aria-live': 'polite', text: 'Offline' });
  const dl = h('dl', { class: 'stats', id: 'stream-stats' });
  const field = (label: string, input: HTMLElement) => h('label', { class: 'field' }, h('span', { text: label }), input);

  const save = () => {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ url: url.value.trim(), codec: codec.value, kbps: Number(kbps.value) || DEFAULT_KBPS }));
    if (token.value) sessionStorage.setItem(TOKEN_KEY, token.value);
    else sessionStorage.removeItem(TOKEN_KEY);
  };
  for (const el of [url, token, codec, kbps]) el.addEventListener('change', save);

  let lastError: string | null = null;
  button.addEventListener('click', async () => {
    const live = studio.streamState !== 'idle';
    button.disabled = true;
    try {
      if (live) {
        await studio.stopStream();
      } else {
        save();
        lastError = null;
        await studio.startStream({
          url: url.value, token: token.value || undefined, videoBitrate: (Number(kbps.value) || DEFAULT_KBPS) * 1000,
          ...(codec.value !== 'auto' ? { videoCodec: codec.value as StreamVideoCodec } : {}),
        });
      }
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      report(e);
    } finally {
      button.disabled = false;
      void refresh();
    }
  });

  async function refresh(): Promise<void> {
    const s = (await studio.getStats().catch(() => null))?.stream;
    const state = studio.streamState;
    const idle = state === 'idle';
    button.textContent = idle ? 'Go live' : state === 'connecting' ? 'Cancel' : 'Stop stream';
    for (const el of [url, token, codec, kbps]) el.disabled = !idle;
    status.textContent = s ? s.status + (idle && lastError ? ` — ${lastError}` : '') : state;
    status.dataset.state = state;
    dl.replaceChildren(...(s ? streamRows(s) : []).flatMap(([k, v, warn]) => [h('dt', { text: k }), h('dd', { text: v, class: warn ? 'warn' : undefined })]));
  }

  const panel = h('section', { id: 'stream', class: 'panel', 'aria-labelledby': 'stream-h' }, h('h2', { id: 'stream-h', text: 'Go live' }),
    field('WHIP URL', url), field('Bearer token', token), field('Video codec', codec), field('Bitrate (kb/s)', kbps),
    h('div', { class: 'dock-tools' }, button), status, dl);
  after.after(panel);
  studio.addEventListener('stream', () => void refresh());
  // The stats move while streaming; once a second is what OBS shows too.
  setInterval(() => { if (studio.streamState !== 'idle' || dl.childElementCount) void refresh(); }, 1000);
}
