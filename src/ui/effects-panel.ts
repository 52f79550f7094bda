import { h } from './dom.ts';
import type { Studio } from '../studio.ts';
import { DEFAULT_BLUR_STRENGTH, type BackgroundEffect } from '../segment/background-effect.ts';
import { DEFAULT_MASK_OPTIONS, MAX_EXPAND, MAX_FEATHER, clampMaskOptions, type MaskOptions } from '../segment/mask-options.ts';
import { loadBackground, loadMaskOptions } from '../segment/effect-store.ts';
import type { EffectsStats } from '../util/types.ts';
import type { StoredBackground } from '../scene/types.ts';

type Report = (e: unknown) => void;
type BgType = BackgroundEffect['type'];

const BG_CHOICES: [BgType, string][] = [
  ['none', 'None'], ['blur', 'Blur'], ['color', 'Colour'], ['image', 'Image'], ['transparent', 'Transparent'],
];

/**
 * Runs `fn` with the newest value only: while one call is in flight, later values replace each
 * other, so a dragged slider does not queue a worker round trip (or an image decode) per pixel.
 */
function latestOnly<T>(fn: (v: T) => Promise<unknown>, report: Report): (v: T) => Promise<void> {
  let running: Promise<void> | null = null;
  let pending: { v: T } | null = null;
  const loop = async () => {
    while (pending) {
      const { v } = pending;
      pending = null;
      try { await fn(v); } catch (e) { report(e); }
    }
    running = null;
  };
  return (v: T) => {
    pending = { v };
    return (running ??= loop());
  };
}

/** A labelled range input with a live value readout. */
function slider(id: string, label: string, min: number, max: number, step: number, fmt: (v: number) => string) {
  const input = h('input', { type: 'range', id, min, max, step });
  const out = h('output', { for: id, class: 'readout' });
  const row = h('div', { class: 'knob' }, h('label', { for: id, text: label }), input, out);
  const set = (v: number) => { input.value = String(v); out.textContent = fmt(v); };
  input.addEventListener('input', () => { out.textContent = fmt(input.valueAsNumber); });
  return { row, input, set, get value() { return input.valueAsNumber; } };
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

/** How a segmentation backend reads in one line for people. */
export function describeSegmentation(where: string, fx: EffectsStats | null | undefined): string {
  if (where === 'unavailable') return `Background effects are unavailable: ${fx?.error ?? 'the segmentation model could not be loaded.'}`;
  const name = where === 'wasm' ? 'wasm (CPU)' : where === 'webgpu' ? 'WebGPU' : where;
  const reason = fx?.fallbackReason ? ` — ${fx.fallbackReason}` : '';
  return `Segmentation: ${name}${reason}${fx?.error ? ` (error: ${fx.error})` : ''}`;
}

/**
 * Background choice (none, blur, colour, image, transparent) with light wrap, mask refinement
 * knobs, a still-picture cut-out and where segmentation runs.
 */
export function mountEffects(root: HTMLElement, studio: Studio, report: Report): void {
  const status = h('p', { class: 'fx-status', id: 'fx-status', role: 'status', text: 'Segmentation: loading…' });

  // Background choice as a segmented radio group.
  let bgType: BgType = 'none';
  let image: Blob | null = null;
  const radios = new Map<BgType, HTMLInputElement>();
  const segs = BG_CHOICES.map(([type, text]) => {
    const r = h('input', { type: 'radio', name: 'bg-type', value: type, id: `bg-${type}` });
    radios.set(type, r);
    r.addEventListener('change', () => { if (r.checked) choose(type); });
    return h('label', { class: 'seg-item' }, r, h('span', { text }));
  });
  const group = h('div', { class: 'seg', role: 'radiogroup', 'aria-label': 'Background' }, ...segs);

  const strength = slider('bg-strength', 'Blur strength', 0, 1, 0.05, pct);
  const lightWrap = slider('bg-lightwrap', 'Light wrap', 0, 1, 0.05, pct);
  const color = h('input', { type: 'color', id: 'bg-color', value: '#00b140' });
  const colorRow = h('div', { class: 'knob' }, h('label', { for: 'bg-color', text: 'Colour' }), color);
  const imageInput = h('input', { type: 'file', accept: 'image/*', id: 'bg-image-file', class: 'visually-hidden', 'aria-label': 'Background image file', tabindex: '-1' });
  const imageName = h('span', { class: 'fx-note', text: 'No image chosen' });
  const imageButton = h('button', { type: 'button', id: 'bg-image-button', onclick: () => imageInput.click() }, 'Choose image…');
  const imageRow = h('div', { class: 'knob knob-file' }, imageButton, imageName, imageInput);
  const bgFieldset = h('fieldset', { class: 'fx-bg', disabled: true },
    h('legend', { text: 'Background' }), group, strength.row, colorRow, imageRow, lightWrap.row);

  const current = (): BackgroundEffect | null => {
    const lw = { lightWrap: lightWrap.value };
    switch (bgType) {
      case 'none': return { type: 'none' };
      case 'transparent': return { type: 'transparent' };
      case 'blur': return { type: 'blur', strength: strength.value, ...lw };
      case 'color': return { type: 'color', color: color.value, ...lw };
      // An 'image' effect without an image would show a transparent background: wait for one.
      case 'image': return image ? { type: 'image', image, ...lw } : null;
    }
  };
  // While a choice is on its way to the studio, the panel shows it; afterwards the studio's state.
  let applying = 0;
  const applyBg = latestOnly(async (e: BackgroundEffect) => {
    applying++;
    try { await studio.setBackground(e); } finally { if (--applying === 0) showState(); }
  }, report);
  const apply = () => { const e = current(); if (e) void applyBg(e); };

  const syncBgUi = () => {
    radios.get(bgType)!.checked = true;
    strength.row.hidden = bgType !== 'blur';
    colorRow.hidden = bgType !== 'color';
    imageRow.hidden = bgType !== 'image';
    lightWrap.row.hidden = bgType === 'none' || bgType === 'transparent';
  };
  function choose(type: BgType): void {
    bgType = type;
    syncBgUi();
    if (type === 'image' && !image) imageInput.click();
    else apply();
  }
  strength.input.addEventListener('input', apply);
  lightWrap.input.addEventListener('input', apply);
  color.addEventListener('input', apply);
  imageInput.addEventListener('change', () => {
    const f = imageInput.files?.[0];
    if (!f) return;
    image = f;
    imageName.textContent = f.name;
    bgType = 'image';
    syncBgUi();
    apply();
    imageInput.value = '';
  });

  // Mask refinement knobs.
  const knobs = {
    threshold: slider('mask-threshold', 'Threshold', 0, 1, 0.01, (v) => v.toFixed(2)),
    softness: slider('mask-softness', 'Softness', 0, 1, 0.01, (v) => v.toFixed(2)),
    expand: slider('mask-expand', 'Expand / shrink', -MAX_EXPAND, MAX_EXPAND, 1, (v) => `${v > 0 ? '+' : ''}${v} px`),
    smoothContour: slider('mask-smooth', 'Contour smoothing', 0, 1, 0.01, pct),
    feather: slider('mask-feather', 'Feather', 0, MAX_FEATHER, 1, (v) => `${v} px`),
    temporal: slider('mask-temporal', 'Temporal smoothing', 0, 1, 0.01, pct),
  } satisfies Record<Exclude<keyof MaskOptions, 'edgeAware'>, ReturnType<typeof slider>>;
  const edgeAware = h('input', { type: 'checkbox', id: 'mask-edge-aware' });
  const edgeRow = h('div', { class: 'knob knob-check' }, edgeAware, h('label', { for: 'mask-edge-aware', text: 'Edge-aware upsampling' }));
  const showMask = (o: MaskOptions) => {
    for (const [k, s] of Object.entries(knobs)) s.set(o[k as keyof typeof knobs]);
    edgeAware.checked = o.edgeAware;
  };
  const applyMask = latestOnly(async (o: Partial<MaskOptions>) => showMask(await studio.setMaskOptions(o)), report);
  for (const [k, s] of Object.entries(knobs)) s.input.addEventListener('input', () => void applyMask({ [k]: s.value }));
  edgeAware.addEventListener('change', () => void applyMask({ edgeAware: edgeAware.checked }));
  const reset = h('button', { type: 'button', id: 'mask-reset', onclick: () => { showMask(DEFAULT_MASK_OPTIONS); void applyMask({ ...DEFAULT_MASK_OPTIONS }); } }, 'Reset');
  const maskFieldset = h('fieldset', { class: 'fx-mask', disabled: true },
    ...Object.values(knobs).map((s) => s.row), edgeRow, h('div', { class: 'fx-actions' }, reset));
  const details = h('details', { class: 'fx-details' }, h('summary', { text: 'Mask refinement' }), maskFieldset);

  // Still-picture cut-out.
  const cutInput = h('input', { type: 'file', accept: 'image/*', id: 'cutout-file', class: 'visually-hidden', 'aria-label': 'Picture to cut out', tabindex: '-1' });
  const cutButton = h('button', { type: 'button', id: 'cutout-button', onclick: () => cutInput.click() }, 'Choose picture…');
  const cutResult = h('div', { class: 'cutout-result', 'aria-live': 'polite' });
  const drop = h('div', { class: 'drop-zone', id: 'cutout-drop' }, h('span', { text: 'Drop a picture here or ' }), cutButton, cutInput);
  const cutFieldset = h('fieldset', { class: 'fx-cutout', disabled: true },
    h('legend', { text: 'Remove background from a picture' }), drop, cutResult);
  let cutUrl: string | null = null;
  const cutOut = async (file: File) => {
    if (cutUrl) URL.revokeObjectURL(cutUrl);
    cutUrl = null;
    cutResult.replaceChildren(h('span', { class: 'fx-note', text: `Cutting out ${file.name}…` }));
    try {
      const png = await studio.removeBackground(file);
      cutUrl = URL.createObjectURL(png);
      const name = `${file.name.replace(/\.[^.]*$/, '') || 'picture'}-cutout.png`;
      cutResult.replaceChildren(
        h('div', { class: 'checker cutout-preview' }, h('img', { src: cutUrl, alt: `${file.name} with the background removed` })),
        h('a', { href: cutUrl, download: name, id: 'cutout-download', class: 'button' }, `Download ${name}`));
    } catch (e) {
      cutResult.replaceChildren();
      report(e);
    }
  };
  cutInput.addEventListener('change', () => {
    const f = cutInput.files?.[0];
    if (f) void cutOut(f);
    cutInput.value = '';
  });
  drop.addEventListener('dragover', (ev) => {
    if (cutFieldset.disabled) return;
    ev.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    const f = [...(ev.dataTransfer?.files ?? [])].find((x) => x.type.startsWith('image/')) ?? ev.dataTransfer?.files[0];
    if (f && !cutFieldset.disabled) void cutOut(f);
  });

  // Quality: automatic (shows the level the load allows) or pinned by the person.
  const qualityNow = h('output', { id: 'quality-now', class: 'readout', for: 'quality' });
  const quality = h('select', { id: 'quality', disabled: true },
    ...(['auto', 'high', 'medium', 'low'] as const).map((q) => h('option', { value: q, text: q === 'auto' ? 'Auto' : q[0].toUpperCase() + q.slice(1) })));
  quality.addEventListener('change', () => void studio.setQuality(quality.value as 'auto').then(refreshStatus, report));
  const qualityRow = h('div', { class: 'knob knob-quality' }, h('label', { for: 'quality', text: 'Quality' }), quality, qualityNow);

  root.append(status, qualityRow, bgFieldset, details, cutFieldset);

  // Show what the studio will restore from the last visit, without applying it a second time.
  strength.set(DEFAULT_BLUR_STRENGTH);
  lightWrap.set(0);
  showMask(clampMaskOptions(loadMaskOptions() ?? {}));
  syncBgUi();
  /** Shows a background choice: the first camera's stored filter, or the one remembered for the next camera. */
  function showBg(bg: BackgroundEffect | StoredBackground): void {
    if (!BG_CHOICES.some(([t]) => t === bg.type)) return;
    if (bg.type === 'blur') strength.set(bg.strength ?? DEFAULT_BLUR_STRENGTH);
    if (bg.type === 'color') color.value = bg.color;
    if (bg.type === 'image' && 'image' in bg && bg.image) { image = bg.image; imageName.textContent = 'Saved image'; }
    else if (bg.type === 'image' && !image) imageName.textContent = 'Image set elsewhere';
    lightWrap.set(bg.lightWrap ?? 0);
    bgType = bg.type;
    syncBgUi();
  }
  // The first camera source's filter is the one this panel edits, so studio.scenes is its state.
  const cameraBg = () => studio.scenes.sources.find((s) => s.settings.kind === 'camera')?.background ?? null;
  function showState(): void {
    const bg = cameraBg();
    if (bg && applying === 0) showBg(bg);
  }
  studio.addEventListener('scenes', showState);
  showState();
  // Before there is a camera, show what the studio will give the first one (the last visit's choice).
  void loadBackground().then((bg) => { if (bg && !cameraBg()) showBg(bg); }, report);

  async function refreshStatus(): Promise<void> {
    const render = (await studio.getStats().catch(() => null))?.render;
    const fx = render?.effects;
    if (render?.quality) qualityNow.textContent = `${render.quality.automatic ? 'auto' : 'pinned'} (${render.quality.level})`;
    status.textContent = describeSegmentation(studio.segmentation, fx);
    status.classList.toggle('warn', studio.segmentation === 'unavailable' || !!fx?.error);
  }
  studio.ready.then(async () => {
    const ok = studio.segmentation !== 'unavailable';
    bgFieldset.disabled = maskFieldset.disabled = cutFieldset.disabled = quality.disabled = !ok;
    await refreshStatus();
    if (ok) setInterval(() => void refreshStatus(), 2000);
  }, (e: unknown) => {
    status.textContent = `Background effects are unavailable: ${e instanceof Error ? e.message : String(e)}`;
    status.classList.add('warn');
  });
}
