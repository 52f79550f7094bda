// Audio mixer panel: one strip per source plus the master, OBS-style meters drawn at rAF rate.
// Strips are rebuilt when sources come and go; meters only repaint canvases, never the DOM.
import {
  GAIN_MAX_DB, GAIN_MIN_DB, LEVEL_FLOOR_DB, type AudioSourceInfo, type AudioSourceSettings, type EqBand, type MasterSettings, type MeterLevel,
} from '../audio/audio-types.ts';
import type { AudioStateDetail, MixerControls } from '../studio/audio-hub.ts';
import { h } from './dom.ts';

/** Meter scale and OBS's colour zones (dBFS). */
const METER_MIN_DB = -60;
const ZONE_YELLOW_DB = -20;
const ZONE_RED_DB = -9;
const PEAK_DECAY_DB_PER_S = 20;
const PEAK_HOLD_MS = 1500;
/** A fixed 8-band graphic EQ (peaking, one octave wide) over the engine's parametric bands. */
const EQ_FREQS = [63, 125, 250, 500, 1000, 2000, 4000, 8000];
const EQ_Q = 1.41;
const EQ_PRESETS: Record<string, number[]> = {
  Flat: [0, 0, 0, 0, 0, 0, 0, 0],
  'Voice clarity': [-12, -6, -2, 0, 0, 2, 4, 2],
  'Bass boost': [6, 4, 2, 0, 0, 0, 0, 0],
  'Reduce hiss': [0, 0, 0, 0, 0, -2, -4, -8],
};

const STYLE = `
.mixer { display: flex; flex-direction: column; gap: .5rem; font-size: .85rem; }
.mixer-notice { padding: .4rem .6rem; border-radius: 6px; background: #3d3216; border: 1px solid #d29922; }
.mixer-notice[hidden] { display: none; }
.mixer-empty { color: var(--muted, #9aa4b5); margin: 0; }
.strip { border-top: 1px solid var(--line, #2c3442); padding-top: .45rem; display: flex; flex-direction: column; gap: .3rem; }
.strip-master { border-top-width: 2px; }
.strip-head { display: flex; align-items: center; gap: .35rem; }
.strip-label { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 600; }
.strip-kind { color: var(--muted, #9aa4b5); font-size: .75rem; }
.strip button { padding: .1rem .45rem; font-size: .78rem; }
.strip button[aria-pressed="true"].mute { background: #7a2a2f; border-color: #e5484d; color: #fff; }
.strip button[aria-pressed="true"].monitor { background: #1f3d6b; border-color: var(--accent, #4f8cff); color: #fff; }
.strip-meter { display: block; width: 100%; height: 12px; border-radius: 2px; background: #0b0d12; }
.strip-row { display: grid; grid-template-columns: 2.6rem 1fr 4.2rem; align-items: center; gap: .4rem; }
.strip-row span { color: var(--muted, #9aa4b5); }
.strip-row output { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.strip-row input[type=range] { width: 100%; margin: 0; accent-color: var(--accent, #4f8cff); }
.strip details summary { cursor: pointer; color: var(--muted, #9aa4b5); }
.strip details[data-on] summary::after { content: " (on)"; color: var(--accent, #4f8cff); }
.strip details select { margin: .3rem 0; padding: .1rem .3rem; font-size: .78rem; }
.mixer-scale { position: relative; height: 1.1em; color: var(--muted, #9aa4b5); font-size: .7rem; font-variant-numeric: tabular-nums; }
.mixer-scale span { position: absolute; top: 0; transform: translateX(-50%); }
.mixer-scale span:first-child { transform: none; }
.mixer-scale span:last-child { transform: translateX(-100%); }
.mixer-actions { display: flex; gap: .5rem; }
`;

interface MeterState {
  canvas: HTMLCanvasElement;
  /** Source id, or null for the master. */
  id: string | null;
  peak: number;
  rms: number;
  hold: number;
  holdUntil: number;
}

function ensureStyle(): void {
  if (document.getElementById('mixer-panel-style')) return;
  document.head.append(h('style', { id: 'mixer-panel-style' }, STYLE));
}

const fmtDb = (db: number) => (db <= GAIN_MIN_DB ? '−∞ dB' : `${db < 0 ? '−' : db > 0 ? '+' : ''}${Math.abs(db).toFixed(1)} dB`);
const fmtPan = (p: number) => (Math.abs(p) < 0.005 ? 'C' : `${p < 0 ? 'L' : 'R'} ${Math.round(Math.abs(p) * 100)}`);
const dbToX = (db: number, w: number) => (Math.min(Math.max(db, METER_MIN_DB), 0) - METER_MIN_DB) / -METER_MIN_DB * w;

/** Draws one meter: dim zones, the peak bar, the brighter RMS bar and the peak-hold tick. */
function drawMeter(m: MeterState): void {
  const c = m.canvas;
  const dpr = devicePixelRatio || 1;
  const w = Math.round(c.clientWidth * dpr), ht = Math.round(c.clientHeight * dpr);
  if (w === 0 || ht === 0) return;
  if (c.width !== w || c.height !== ht) { c.width = w; c.height = ht; }
  const g = c.getContext('2d');
  if (!g) return;
  const xy = dbToX(ZONE_YELLOW_DB, w), xr = dbToX(ZONE_RED_DB, w);
  const zones = (x0: number, x1: number, colours: [string, string, string], y: number, hh: number) => {
    const seg = (a: number, b: number, col: string) => { const s = Math.max(a, x0), e = Math.min(b, x1); if (e > s) { g.fillStyle = col; g.fillRect(s, y, e - s, hh); } };
    seg(0, xy, colours[0]); seg(xy, xr, colours[1]); seg(xr, w, colours[2]);
  };
  zones(0, w, ['#17301c', '#3a3015', '#3f1c1b'], 0, ht);
  zones(0, dbToX(m.peak, w), ['#2f7d3f', '#9c7a1f', '#a83a35'], 0, ht);
  zones(0, dbToX(m.rms, w), ['#4ade6b', '#f5c542', '#ff5a52'], Math.round(ht * 0.2), Math.round(ht * 0.6));
  if (m.hold > METER_MIN_DB) {
    g.fillStyle = m.hold > ZONE_RED_DB ? '#ff8a84' : '#e6e9ef';
    g.fillRect(Math.min(dbToX(m.hold, w), w - 2 * dpr), 0, 2 * dpr, ht);
  }
}

/** Meter ballistics: peak falls at 20 dB/s, the peak-hold tick stays 1.5 s. */
function updateMeter(m: MeterState, level: MeterLevel | undefined, dt: number, now: number): void {
  const peak = level?.peakDb ?? LEVEL_FLOOR_DB, rms = level?.rmsDb ?? LEVEL_FLOOR_DB;
  m.peak = Math.max(peak, m.peak - PEAK_DECAY_DB_PER_S * dt);
  m.rms = rms;
  if (peak >= m.hold || now > m.holdUntil) { m.hold = peak; m.holdUntil = now + PEAK_HOLD_MS; }
}

function toggle(label: string, cls: string, pressed: boolean, aria: string, onChange: (v: boolean) => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls, 'aria-pressed': String(pressed), 'aria-label': aria, text: label });
  b.addEventListener('click', () => {
    const v = b.getAttribute('aria-pressed') !== 'true';
    b.setAttribute('aria-pressed', String(v));
    onChange(v);
  });
  return b;
}

function slider(aria: string, min: number, max: number, step: number, value: number, fmt: (v: number) => string, onInput: (v: number) => void): { input: HTMLInputElement; out: HTMLOutputElement } {
  const input = h('input', { type: 'range', min, max, step, value, 'aria-label': aria });
  const out = h('output', { text: fmt(value) });
  input.addEventListener('input', () => { out.textContent = fmt(input.valueAsNumber); onInput(input.valueAsNumber); });
  return { input, out };
}

function eqEditor(src: AudioSourceInfo, apply: (bands: EqBand[]) => void): HTMLDetailsElement {
  const gains = EQ_FREQS.map((f) => src.eq.find((b) => b.type === 'peaking' && b.freq === f)?.gainDb ?? 0);
  const details = h('details', {}, h('summary', { text: 'EQ' }));
  const send = () => {
    details.toggleAttribute('data-on', gains.some((g) => g !== 0));
    apply(EQ_FREQS.flatMap((freq, i) => (gains[i] ? [{ type: 'peaking' as const, freq, gainDb: gains[i]!, q: EQ_Q }] : [])));
  };
  const sliders = EQ_FREQS.map((f, i) => {
    const name = f >= 1000 ? `${f / 1000}k` : String(f);
    const s = slider(`EQ ${name} Hz for ${src.label}`, -12, 12, 0.5, gains[i]!, fmtDb, (v) => { gains[i] = v; send(); });
    return { s, row: h('label', { class: 'strip-row' }, h('span', { text: name }), s.input, s.out) };
  });
  const preset = h('select', { 'aria-label': `EQ preset for ${src.label}` }, ...Object.keys(EQ_PRESETS).map((p) => h('option', { value: p, text: p })));
  preset.addEventListener('change', () => {
    EQ_PRESETS[preset.value]!.forEach((g, i) => { gains[i] = g; sliders[i]!.s.input.value = String(g); sliders[i]!.s.out.textContent = fmtDb(g); });
    send();
  });
  details.toggleAttribute('data-on', gains.some((g) => g !== 0));
  details.append(preset, ...sliders.map((x) => x.row));
  return details;
}

const isPaused = (state: string | null) => state === 'suspended' || state === 'interrupted';

/**
 * Mounts the mixer into root; returns an unmount function (also stops when root leaves the
 * document). `capture: false` leaves out the microphone and screen-audio buttons (pages
 * without capture devices). Errors of the audio thread arrive as the studio's 'error' event,
 * which the page reports already.
 */
export function mountMixer(root: HTMLElement, studio: MixerControls, report: (e: unknown) => void, opts: { capture?: boolean } = {}): () => void {
  ensureStyle();
  const notice = h('p', { class: 'mixer-notice', role: 'status', hidden: true });
  const strips = h('div', { class: 'mixer-strips' });
  const fileInput = h('input', { type: 'file', accept: 'audio/*', hidden: true, 'aria-label': 'Audio file to add' });
  const addFile = h('button', { type: 'button', text: 'Add audio file…', onclick: () => fileInput.click() });
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (f) studio.addAudioSource({ kind: 'file', file: f, label: f.name }).catch(report);
  });
  const captureButtons = opts.capture !== false ? [
    h('button', { type: 'button', text: 'Add microphone', onclick: () => { studio.addAudioSource({ kind: 'microphone' }).catch(report); } }),
    h('button', { type: 'button', text: 'Add tab or system audio…', onclick: () => { studio.addAudioSource({ kind: 'display' }).catch(report); } }),
  ] : [];
  const panel = h('div', { class: 'mixer' }, notice, strips, h('div', { class: 'mixer-actions' }, ...captureButtons, addFile, fileInput));
  const remove = (id: string) => studio.removeAudioSource(id).catch(report);
  const setAudio = (id: string | 'master', v: AudioSourceSettings) => { studio.setAudio(id, v).catch(report); };
  root.replaceChildren(panel);
  let meters: MeterState[] = [];
  let stopped = false;
  const newMeter = (id: string | null, label: string): HTMLCanvasElement => {
    const canvas = h('canvas', { class: 'strip-meter', role: 'img', 'aria-label': `Level meter for ${label}` });
    meters.push({ canvas, id, peak: LEVEL_FLOOR_DB, rms: LEVEL_FLOOR_DB, hold: LEVEL_FLOOR_DB, holdUntil: 0 });
    return canvas;
  };

  const sourceStrip = (s: AudioSourceInfo): HTMLElement => {
    const set = (v: AudioSourceSettings) => setAudio(s.id, v);
    const fader = slider(`Gain for ${s.label}`, GAIN_MIN_DB, GAIN_MAX_DB, 0.1, s.gainDb, fmtDb, (gainDb) => set({ gainDb }));
    const pan = slider(`Pan for ${s.label}`, -1, 1, 0.05, s.pan, fmtPan, (p) => set({ pan: p }));
    return h('section', { class: 'strip', 'data-source-id': s.id, 'aria-label': `Audio source ${s.label}` },
      h('div', { class: 'strip-head' },
        h('span', { class: 'strip-label', title: s.label, text: s.label }),
        h('span', { class: 'strip-kind', text: s.kind === 'display' ? 'tab' : s.kind === 'microphone' ? 'mic' : 'file' }),
        toggle('Mute', 'mute', s.muted, `Mute ${s.label}`, (muted) => set({ muted })),
        toggle('Monitor', 'monitor', s.monitor, `Monitor ${s.label} on the speakers`, (monitor) => set({ monitor })),
        h('button', { type: 'button', 'aria-label': `Remove ${s.label}`, title: 'Remove', text: '×', onclick: () => { void remove(s.id); } })),
      newMeter(s.id, s.label),
      h('label', { class: 'strip-row' }, h('span', { text: 'Gain' }), fader.input, fader.out),
      h('label', { class: 'strip-row' }, h('span', { text: 'Pan' }), pan.input, pan.out),
      eqEditor(s, (eq) => set({ eq })));
  };

  const masterStrip = (m: MasterSettings): HTMLElement => {
    const fader = slider('Gain for Master', GAIN_MIN_DB, GAIN_MAX_DB, 0.1, m.gainDb, fmtDb, (gainDb) => setAudio('master', { gainDb }));
    return h('section', { class: 'strip strip-master', 'aria-label': 'Master' },
      h('div', { class: 'strip-head' },
        h('span', { class: 'strip-label', text: 'Master' }),
        toggle('Mute', 'mute', m.muted, 'Mute Master', (muted) => setAudio('master', { muted }))),
      newMeter(null, 'Master'),
      h('div', { class: 'mixer-scale', 'aria-hidden': 'true' }, ...[-60, -40, -30, -20, -9, 0].map((d) =>
        // Ticks sit at their true dB position on the meter, so −9 and −20 mark the zone edges.
        h('span', { style: `left: ${dbToX(d, 100)}%`, text: d < 0 ? `−${-d}` : String(d) }))),
      h('label', { class: 'strip-row' }, h('span', { text: 'Gain' }), fader.input, fader.out));
  };

  // The lists arrive asynchronously: only the latest request may draw, so quick add/remove
  // bursts cannot leave an older list on screen.
  let generation = 0;
  const rebuild = () => {
    const gen = ++generation;
    Promise.all([studio.listAudioSources(), studio.getMasterAudio()]).then(([list, master]) => {
      if (gen !== generation || stopped) return;
      meters = [];
      strips.replaceChildren(
        ...(list.length ? list.map(sourceStrip) : [h('p', { class: 'mixer-empty', text: 'No audio sources yet.' })]),
        masterStrip(master));
    }, report);
  };

  const onState = (e: Event) => {
    const { state, message } = (e as CustomEvent<AudioStateDetail>).detail;
    notice.hidden = !isPaused(state);
    notice.textContent = message ?? '';
    if (isPaused(state)) studio.resumeAudio();
  };
  studio.addEventListener('audiosources', rebuild);
  studio.addEventListener('audiostate', onState);
  rebuild();
  if (isPaused(studio.audioState)) {
    notice.hidden = false;
    notice.textContent = 'Audio paused by the browser — click anywhere to resume.';
    studio.resumeAudio();
  }

  let raf = 0, last = performance.now();
  const frame = (now: number) => {
    if (stopped) return;
    if (!root.isConnected) { unmount(); return; }
    // 25 redraws a second read as smooth on a meter and leave the main thread and compositor
    // to the video on small machines (a 60 Hz redraw measurably cost recorded frames).
    if (now - last < 40) { raf = requestAnimationFrame(frame); return; }
    const dt = Math.min(0.25, (now - last) / 1000);
    last = now;
    try {
      const levels = studio.audioLevelsNow();
      for (const m of meters) {
        updateMeter(m, m.id === null ? levels?.master : levels?.sources[m.id], dt, now);
        drawMeter(m);
      }
    } catch (e) { report(e); unmount(); return; }
    raf = requestAnimationFrame(frame);
  };
  raf = requestAnimationFrame(frame);

  function unmount(): void {
    if (stopped) return;
    stopped = true;
    cancelAnimationFrame(raf);
    studio.removeEventListener('audiosources', rebuild);
    studio.removeEventListener('audiostate', onState);
  }
  return unmount;
}
