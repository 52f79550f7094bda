import { h, formatBytes } from './dom.ts';
import type { Studio } from '../studio.ts';
import type { EffectsStats, StudioStats } from '../util/types.ts';

type Row = [label: string, value: string, warn?: boolean];

/** Names of scenes and sources by id, for the program rows. */
export type NameOf = (id: string) => string | undefined;

/** Rows of the stats panel, in OBS's wording where OBS has one. */
export function statsRows(s: StudioStats, nameOf: NameOf = () => undefined): Row[] {
  const r = s.render, e = s.encode;
  const rendered = r?.framesRendered ?? 0;
  const missed = r?.framesMissed ?? 0;
  const skipped = (e?.framesSkipped ?? 0) + (r?.outputDropped ?? 0);
  const pct = (n: number, of: number) => (of > 0 ? ` (${((100 * n) / of).toFixed(1)}%)` : '');
  const rows: Row[] = [
    ['Output FPS', r ? r.fps.toFixed(1) : '—'],
    ['GPU restarts recovered', r?.gpu ? `${r.gpu.recoveries}${r.gpu.gaveUp ? ' — gave up' : r.gpu.down ? ' — rebuilding…' : ''}` : '—', !!r?.gpu && (r.gpu.recoveries > 0 || r.gpu.down)],
    ['Frames missed due to rendering lag', `${missed} / ${rendered + missed}${pct(missed, rendered + missed)}`, missed > 0],
    ['Frames skipped due to encoding lag', `${skipped} / ${(e?.framesEncoded ?? 0) + skipped}${pct(skipped, (e?.framesEncoded ?? 0) + skipped)}`, skipped > 0],
    ['Encoder queue', e?.recording ? String(e.encoderQueue) : '—'],
    ['Bitrate', e?.recording ? `${Math.round(e.bitrateKbps)} kb/s` : '—'],
    ['Written', e?.bytesWritten ? formatBytes(e.bytesWritten) : '—'],
    ['Disk space available', e?.recording && e.diskFreeBytes !== null ? formatBytes(e.diskFreeBytes) : '—'],
    ['Disk full in', e?.recording && e.diskFullInS !== null ? formatDuration(e.diskFullInS) : '—', !!e?.recording && e.diskFullInS !== null && e.diskFullInS < 300],
    ['Codec', e?.codecString ? `${e.codecString} (${e.hardwareAcceleration})` : '—'],
    ['Encoder failovers', e?.recording ? String(e.encoderFailovers ?? 0) : '—', (e?.encoderFailovers ?? 0) > 0],
    ['Audio', e?.audioCodec ?? '—'],
    ['Mic delay in mixer (measured)', s.micDelayMs === null ? 'not measured yet' : `${Math.round(s.micDelayMs)} ms (compensated)`],
    ['Audio gaps filled / overlaps dropped', e?.recording ? `${Math.round(e.audioSilenceMs)} / ${Math.round(e.audioDroppedMs)} ms` : '—', (e?.audioSilenceMs ?? 0) + (e?.audioDroppedMs ?? 0) > 0],
    ['Frame path to encoder', e?.outputPath ?? '—'],
    ['Ingest path', r?.ingestPath ?? '—', !!r?.ingestFallbackReason],
    ['Camera', s.camera.active ? `${s.camera.width}×${s.camera.height} @ ${Math.round(s.camera.frameRate)}` : 'off'],
    ['Output', r ? `${r.outputWidth}×${r.outputHeight}` : '—'],
    ['Render time (CPU wall)', r ? `${r.frameMs.toFixed(2)} ms` : '—'],
  ];
  rows.push(...outputRows(e));
  rows.push(...programRows(r, nameOf));
  rows.push(...effectsRows(r?.effects));
  if (r?.quality) rows.push(['Effects quality', `${r.quality.automatic ? 'auto' : 'pinned'} (${r.quality.level})${r.quality.maskIntervalMs > 0 ? `, masks ≤ ${(1000 / r.quality.maskIntervalMs).toFixed(1)}/s` : ''}${r.quality.steps ? `, ${r.quality.steps} automatic changes` : ''}${r.quality.frameBound > 0 ? `; frames alone miss ${Math.round(100 * r.quality.frameBound)} % of ticks` : ''}`, r.quality.level !== 'high']);
  for (const p of r?.passes ?? []) rows.push([`GPU ${p.name} (${r!.timingSource === 'gpu' ? 'timestamp' : 'wall'})`, `${p.ms.toFixed(3)} ms`]);
  if (r?.adapter) rows.push(['GPU adapter', r.adapter]);
  return rows;
}

/** One row per output besides the main one: size, frames, drops, bytes, failovers, and whether it stopped. */
function outputRows(e: StudioStats['encode']): Row[] {
  if (!e?.recording) return [];
  return (e.outputs ?? []).slice(1).map((o): Row => [
    `Output: ${o.label}`,
    `${o.width}×${o.height}, ${o.framesEncoded} frames, ${o.framesSkipped} skipped, ${formatBytes(o.bytesWritten)}` +
      `${o.encoderFailovers ? `, ${o.encoderFailovers} failovers` : ''}${o.error ? ' — stopped' : ''}`,
    !!o.error || o.framesSkipped > 0 || o.encoderFailovers > 0,
  ]);
}

/** The program (scene on air, composed vs reused frames) and one row per source the render worker holds. */
function programRows(r: StudioStats['render'], nameOf: NameOf): Row[] {
  const p = r?.program;
  if (!p) return [];
  const rows: Row[] = [
    ['Program scene', nameOf(p.sceneId) ?? p.sceneId],
    ['Frames composed / reused', `${p.composed} / ${p.reused}`],
  ];
  for (const src of r.sources) {
    const size = src.width && src.height ? `${src.width}×${src.height}` : 'no picture';
    rows.push([`Source: ${nameOf(src.id) ?? src.id}`, `${src.kind} ${size}, ${src.state}, ${src.framesIn} in${src.framesReplaced ? `, ${src.framesReplaced} replaced` : ''}`,
      src.state !== 'live' || !!src.message]);
  }
  return rows;
}

/** Seconds as "2 h 05 min", "12 min" or "40 s". */
function formatDuration(s: number): string {
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return s >= 120 ? `${Math.floor(s / 60)} min` : `${Math.max(0, Math.round(s))} s`;
}

/** Background-removal rows: where the model runs, how long it takes, how stale the mask is. */
function effectsRows(fx: EffectsStats | undefined): Row[] {
  if (!fx) return [['Segmentation', '—']];
  const backend = fx.backend === 'wasm' ? 'wasm (CPU)' : fx.backend === 'webgpu' ? 'WebGPU' : 'unavailable';
  const ran = fx.masksProduced > 0;
  const drawn = fx.masksProduced + fx.masksReused;
  const rows: Row[] = [
    ['Segmentation', fx.backend ? `${backend}${fx.active ? '' : ' (idle)'}` : backend, !fx.backend || !!fx.fallbackReason],
    ['Inference', ran ? `${fx.inferenceMs.toFixed(1)} ms` : '—'],
    ['Mask pipeline', ran && fx.active ? `readback ${fx.maskStagesMs.readback.toFixed(0)} · model ${fx.maskStagesMs.model.toFixed(0)} · to refine ${fx.maskStagesMs.toRefine.toFixed(0)} ms` : '—'],
    ['Mask rate', ran && fx.active ? `${fx.maskRate.toFixed(1)} / s` : '—'],
    ['Mask age', ran && fx.active ? `${Math.round(fx.maskAgeMs)} ms (p50 ${Math.round(fx.maskAgeP50)}, p95 ${Math.round(fx.maskAgeP95)})` : '—'],
    ['Masks reused', ran ? `${fx.masksReused} / ${drawn}${drawn > 0 ? ` (${((100 * fx.masksReused) / drawn).toFixed(1)}%)` : ''}` : '—'],
    ['Person crop', ran && fx.active ? (fx.crop ? `${fx.crop.width}×${fx.crop.height} at ${fx.crop.x},${fx.crop.y}` : 'whole frame') +
      ` (${fx.fullFramePasses} of ${fx.fullFramePasses + fx.cropPasses} passes full-frame)` : '—'],
  ];
  if (fx.error) rows.push(['Segmentation error', fx.error, true]);
  return rows;
}

/** Polls the studio twice a second and shows the rows. */
export function mountStats(root: HTMLElement, studio: Studio): void {
  const dl = h('dl', { class: 'stats', id: 'stats-list' });
  root.append(dl);
  const tick = async () => {
    const s = await studio.getStats().catch(() => null);
    const st = studio.scenes;
    const nameOf: NameOf = (id) => st.scenes.find((x) => x.id === id)?.name ?? st.sources.find((x) => x.id === id)?.name;
    if (s) dl.replaceChildren(...statsRows(s, nameOf).flatMap(([k, v, warn]) => [h('dt', { text: k }), h('dd', { text: v, class: warn ? 'warn' : undefined })]));
  };
  setInterval(() => void tick(), 500);
  void tick();
}
