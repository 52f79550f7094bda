import { h } from './dom.ts';

/** Snapping while editing on the preview. `distance` is in screen (CSS) pixels, so it feels the same at any preview size. */
export interface SnapSettings { enabled: boolean; distance: number }

const KEY = 'backdrop.previewSnap';
export const DEFAULT_SNAP: Readonly<SnapSettings> = { enabled: true, distance: 8 };
const MIN_DISTANCE = 1, MAX_DISTANCE = 50;

/** The stored snapping settings, or the defaults when none (or a broken value) are stored. */
export function loadSnapSettings(): SnapSettings {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<SnapSettings> | null;
    const d = Number(v?.distance);
    return {
      enabled: typeof v?.enabled === 'boolean' ? v.enabled : DEFAULT_SNAP.enabled,
      distance: Number.isFinite(d) ? Math.min(MAX_DISTANCE, Math.max(MIN_DISTANCE, d)) : DEFAULT_SNAP.distance,
    };
  } catch {
    return { ...DEFAULT_SNAP };
  }
}

/**
 * The small toolbar under the preview (inserted after `preview`): snapping on/off and its
 * distance, stored in localStorage. Returns the live settings (the editor reads them per drag).
 */
export function mountSnapToolbar(preview: HTMLElement): SnapSettings {
  const s = loadSnapSettings();
  const save = () => { try { localStorage.setItem(KEY, JSON.stringify(s)); } catch { /* private mode: settings last the visit */ } };
  const on = h('input', { type: 'checkbox', id: 'snap-enabled', checked: s.enabled });
  const dist = h('input', { type: 'number', id: 'snap-distance', min: MIN_DISTANCE, max: MAX_DISTANCE, step: 1, value: s.distance, disabled: !s.enabled });
  on.addEventListener('change', () => { s.enabled = on.checked; dist.disabled = !s.enabled; save(); });
  dist.addEventListener('change', () => {
    const d = Number(dist.value);
    if (!Number.isFinite(d) || dist.value === '') { dist.value = String(s.distance); return; }
    s.distance = Math.min(MAX_DISTANCE, Math.max(MIN_DISTANCE, d));
    dist.value = String(s.distance);
    save();
  });
  preview.after(h('div', { class: 'preview-tools', role: 'toolbar', 'aria-label': 'Preview editing' },
    h('label', {}, on, 'Snap'),
    h('label', {}, 'Snap distance', dist, h('span', { class: 'unit', text: 'screen px' })),
    h('span', { class: 'hint-inline', text: 'Shift: free aspect / 15° steps · Alt: crop on a handle, pick the item beneath' })));
  return s;
}
