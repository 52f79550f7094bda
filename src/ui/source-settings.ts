import { h } from './dom.ts';
import { field, latestOnly, type Field, type FieldSpec } from './fields.ts';
import type { Studio, SourceInfo } from '../studio.ts';
import type { SourceSettingsPatch } from '../scene/schema.ts';
import type { StoredBackground } from '../scene/types.ts';
import { DEFAULT_BLUR_STRENGTH, type BackgroundEffect } from '../segment/background-effect.ts';

type Report = (e: unknown) => void;
type Values = Record<string, unknown>;
/** A field plus how it reads its value from the source. */
interface Bound { f: Field<never>; get: (s: SourceInfo) => unknown; visible?: (s: SourceInfo) => boolean }

const pct = (v: number) => `${Math.round(v * 100)}%`;
const FILTERS = [['none', 'None'], ['blur', 'Blur'], ['color', 'Colour'], ['image', 'Image'], ['transparent', 'Transparent']] as const;
const ALIGN = [['left', 'Left'], ['center', 'Centre'], ['right', 'Right']] as const;
const settingsOf = (s: SourceInfo) => s.settings as unknown as Values;

/** The text source's fields: [key, label, kind, extra]. */
const TEXT_FIELDS: [string, string, FieldSpec['kind'], Partial<FieldSpec>?][] = [
  ['text', 'Text', 'textarea', { live: true }], ['font', 'Font', 'text'], ['size', 'Size (px)', 'number', { min: 1 }],
  ['bold', 'Bold', 'checkbox'], ['italic', 'Italic', 'checkbox'], ['color', 'Text colour', 'color', { live: true }],
  ['outlineColor', 'Outline colour', 'color', { live: true }], ['outlineWidth', 'Outline width (px)', 'number', { min: 0 }],
  ['padding', 'Padding (px)', 'number', { min: 0 }], ['align', 'Align', 'select', { options: ALIGN }],
  ['wrapWidth', 'Wrap width (px, 0 = none)', 'number', { min: 0 }],
];

/**
 * The source part of the Properties panel: name, per-kind settings (text, colour, video) and the
 * background filter of a camera, screen or video. Fields are built when another source is shown
 * and then only refreshed from studio.scenes / listSources().
 */
export function mountSourceSettings(host: HTMLElement, studio: Studio, report: Report): { show(s: SourceInfo | null): void } {
  let shownId: string | null = null;
  let bound: Bound[] = [];
  /** Rows that are not fields but still show only for some filter types. */
  const extraRows = new Map<HTMLElement, (s: SourceInfo) => boolean>();

  const build = (src: SourceInfo) => {
    const id = src.id;
    const set = (patch: Values) => studio.updateSource(id, patch as SourceSettingsPatch);
    const b: Bound[] = [];
    const add = (spec: FieldSpec, get: Bound['get'], commit: (v: never) => Promise<unknown>, visible?: Bound['visible']) => {
      // Live fields (text, colours, sliders) make one undo step per typing session or drag.
      const f = field<never>(spec.live ? { ...spec, groups: studio } : spec, commit);
      b.push({ f, get, visible });
      return f.row;
    };
    const rows: (HTMLElement | null)[] = [
      add({ id: 'src-name', label: 'Name', kind: 'text' }, (s) => s.name, (v) => studio.updateSource(id, { name: v })),
    ];
    const kind = src.settings.kind;
    if (kind === 'text') {
      for (const [key, label, k, extra] of TEXT_FIELDS) {
        rows.push(add({ id: `src-${key}`, label, kind: k, ...extra }, (s) => settingsOf(s)[key], (v) => set({ [key]: v })));
      }
      // '' means no box: a checkbox switches it, the colour picks it.
      rows.push(add({ id: 'src-bg-on', label: 'Background box', kind: 'checkbox' }, (s) => settingsOf(s).background !== '',
        (v: boolean) => set({ background: v ? '#000000' : '' })));
      rows.push(add({ id: 'src-background', label: 'Box colour', kind: 'color', live: true }, (s) => settingsOf(s).background || '#000000',
        (v) => set({ background: v }), (s) => settingsOf(s).background !== ''));
    } else if (kind === 'color') {
      rows.push(add({ id: 'src-color', label: 'Source colour', kind: 'color', live: true }, (s) => settingsOf(s).color, (v) => set({ color: v })));
    } else if (kind === 'video') {
      rows.push(add({ id: 'src-loop', label: 'Loop', kind: 'checkbox' }, (s) => settingsOf(s).loop, (v) => set({ loop: v })));
      rows.push(add({ id: 'src-muted', label: 'Muted', kind: 'checkbox' }, (s) => settingsOf(s).muted, (v) => set({ muted: v })));
      const ctl = (action: 'play' | 'pause' | 'restart', text: string) =>
        h('button', { type: 'button', class: 'small', onclick: () => { studio.controlVideo(id, action).catch(report); } }, text);
      rows.push(h('div', { class: 'video-controls', role: 'group', 'aria-label': 'Playback' }, ctl('play', '▶ Play'), ctl('pause', '❚❚ Pause'), ctl('restart', '⟲ Restart')));
    } else if (kind === 'image') {
      rows.push(h('p', { class: 'hint-inline', text: `Image (${(src.settings as { mimeType: string }).mimeType})` }));
    }
    const filter = kind === 'camera' || kind === 'display' || kind === 'video' ? buildFilter(src, add) : null;
    host.replaceChildren(h('fieldset', { class: 'props-source-settings' }, h('legend', { text: 'Source' }), ...rows), ...(filter ? [filter] : []));
    bound = b;
  };

  /** The background filter of a video source; it is stored with the source, so it reads from there. */
  const buildFilter = (src: SourceInfo, add: (spec: FieldSpec, get: Bound['get'], commit: (v: never) => Promise<unknown>, visible?: Bound['visible']) => HTMLElement) => {
    const id = src.id;
    const bgOf = (s: SourceInfo): StoredBackground => s.background;
    const apply = latestOnly((e: BackgroundEffect) => studio.setSourceBackground(id, e));
    const current = () => studio.listSources().find((s) => s.id === id)?.background ?? { type: 'none' as const };
    const lw = (bg: StoredBackground) => (bg.lightWrap !== undefined ? { lightWrap: bg.lightWrap } : {});
    const picker = h('input', { type: 'file', accept: 'image/*', class: 'visually-hidden', tabindex: '-1', 'aria-label': 'Filter background image file' });
    picker.addEventListener('change', () => {
      const f = picker.files?.[0];
      picker.value = '';
      if (f) apply({ type: 'image', image: f, ...lw(current()) }).catch(report);
    });
    const choose = h('button', { type: 'button', class: 'small', onclick: () => picker.click() }, 'Choose background image…');
    const onType = async (t: string) => {
      const bg = current();
      if (t === 'image') { picker.click(); return; }
      if (t === 'blur') await apply({ type: 'blur', strength: bg.type === 'blur' ? bg.strength ?? DEFAULT_BLUR_STRENGTH : DEFAULT_BLUR_STRENGTH, ...lw(bg) });
      else if (t === 'color') await apply({ type: 'color', color: bg.type === 'color' ? bg.color : '#00b140', ...lw(bg) });
      else await apply({ type: t as 'none' | 'transparent' });
    };
    const is = (...types: string[]) => (s: SourceInfo) => types.includes(bgOf(s).type);
    const rows = [
      add({ id: 'src-filter', label: 'Background filter', kind: 'select', options: FILTERS }, (s) => bgOf(s).type, onType),
      add({ id: 'src-filter-strength', label: 'Blur strength', kind: 'range', min: 0, max: 1, step: 0.05, live: true, format: pct },
        (s) => { const bg = bgOf(s); return bg.type === 'blur' ? bg.strength ?? DEFAULT_BLUR_STRENGTH : DEFAULT_BLUR_STRENGTH; },
        (v: number) => apply({ type: 'blur', strength: v, ...lw(current()) }), is('blur')),
      add({ id: 'src-filter-color', label: 'Filter colour', kind: 'color', live: true },
        (s) => { const bg = bgOf(s); return bg.type === 'color' ? bg.color : '#00b140'; },
        (v: string) => apply({ type: 'color', color: v, ...lw(current()) }), is('color')),
      // An image filter is stored by blob id; changing its light wrap would need the image again.
      add({ id: 'src-filter-lightwrap', label: 'Light wrap', kind: 'range', min: 0, max: 1, step: 0.05, live: true, format: pct },
        (s) => bgOf(s).lightWrap ?? 0, (v: number) => {
          const bg = current();
          return bg.type === 'blur' || bg.type === 'color' ? apply({ ...bg, lightWrap: v } as BackgroundEffect) : Promise.resolve();
        }, is('blur', 'color')),
    ];
    const imageRow = h('div', { class: 'field', 'data-filter': 'image' }, choose, picker);
    extraRows.set(imageRow, is('image'));
    return h('fieldset', { class: 'props-filter' }, h('legend', { text: 'Filter' }), ...rows, imageRow);
  };
  return {
    show(src) {
      if (!src) { shownId = null; bound = []; host.replaceChildren(); return; }
      if (src.id !== shownId) { extraRows.clear(); build(src); shownId = src.id; }
      for (const { f, get, visible } of bound) {
        f.show(get(src) as never);
        if (visible) f.row.hidden = !visible(src);
      }
      for (const [row, visible] of extraRows) row.hidden = !visible(src);
    },
  };
}
