import { h } from './dom.ts';
import { field, type Field, type FieldSpec } from './fields.ts';
import { batched } from './keyed-list.ts';
import type { Selection } from './selection.ts';
import { mountSourceSettings } from './source-settings.ts';
import type { Studio } from '../studio.ts';
import type { ItemPatch } from '../scene/schema.ts';
import type { Crop, Fit, SceneItem } from '../scene/types.ts';

type Report = (e: unknown) => void;

const FITS = [['stretch', 'Stretch'], ['contain', 'Contain'], ['cover', 'Cover']] as const;
const SIDES: (keyof Crop)[] = ['left', 'top', 'right', 'bottom'];

/**
 * The Properties panel of the selected item: its box, rotation, crop, opacity, fit, visibility
 * and lock, then the settings and filter of its source. Every field shows studio.scenes and
 * commits through the API; a rejected value stays in its field with the studio's message.
 */
export function mountProperties(root: HTMLElement, studio: Studio, selection: Selection, report: Report): void {
  const hint = h('p', { class: 'hint-inline', id: 'props-hint', text: 'Select a source to edit its properties.' });
  const title = h('h3', { class: 'props-title', id: 'props-title' });
  let itemId: string | null = null;

  const edit = (patch: ItemPatch) => {
    if (!itemId) return Promise.resolve();
    return studio.updateItem(itemId, patch);
  };
  const num = (key: 'x' | 'y' | 'width' | 'height' | 'rotation', label: string, step = 1): Field<number> =>
    field<number>({ id: `prop-${key}`, label, kind: 'number', step, min: key === 'width' || key === 'height' ? 0 : undefined }, (v) => edit({ [key]: v }));
  const box = { x: num('x', 'X'), y: num('y', 'Y'), width: num('width', 'Width'), height: num('height', 'Height'), rotation: num('rotation', 'Rotation (°)') };
  const crop = Object.fromEntries(SIDES.map((side) => [side,
    field<number>({ id: `prop-crop-${side}`, label: `Crop ${side}`, kind: 'number', min: 0 }, (v) => edit({ crop: { [side]: v } }))])) as Record<keyof Crop, Field<number>>;
  const opacitySpec: FieldSpec = { id: 'prop-opacity', label: 'Opacity', kind: 'range', min: 0, max: 1, step: 0.01, live: true, format: (v) => `${Math.round(v * 100)}%`, groups: studio };
  const opacity = field<number>(opacitySpec, (v) => edit({ opacity: v }));
  const fit = field<string>({ id: 'prop-fit', label: 'Fit', kind: 'select', options: FITS }, (v) => edit({ fit: v as Fit }));
  const visible = field<boolean>({ id: 'prop-visible', label: 'Visible', kind: 'checkbox' }, (v) => edit({ visible: v }));
  const locked = field<boolean>({ id: 'prop-locked', label: 'Locked', kind: 'checkbox' }, (v) => edit({ locked: v }));
  const all: Field<never>[] = [...Object.values(box), ...Object.values(crop), opacity, fit, visible, locked] as Field<never>[];

  const transform = h('fieldset', { class: 'props-transform' }, h('legend', { text: 'Transform' }),
    h('div', { class: 'prop-grid' }, ...Object.values(box).map((f) => f.row)),
    h('div', { class: 'prop-grid' }, ...SIDES.map((s) => crop[s].row)),
    opacity.row, fit.row, h('div', { class: 'prop-checks' }, visible.row, locked.row));
  const sourceHost = h('div', { class: 'props-source' });
  const form = h('div', { class: 'props-form', hidden: true }, title, transform, sourceHost);
  const sourceSettings = mountSourceSettings(sourceHost, studio, report);

  const showItem = (item: Readonly<SceneItem>) => {
    for (const k of Object.keys(box) as (keyof typeof box)[]) box[k].show(item[k]);
    for (const s of SIDES) crop[s].show(item.crop[s]);
    opacity.show(item.opacity);
    fit.show(item.fit);
    visible.show(item.visible);
    locked.show(item.locked);
  };

  const render = () => {
    const st = studio.scenes;
    const scene = st.scenes.find((s) => s.id === studio.editingScene);
    const item = scene?.items.find((i) => i.id === selection.itemId);
    if (item?.id !== itemId) {
      // Another item: typed values and errors belong to the one left behind.
      itemId = item?.id ?? null;
      for (const f of all) f.reset();
    }
    hint.hidden = !!item;
    form.hidden = !item;
    if (!item) { sourceSettings.show(null); return; }
    const source = studio.listSources().find((s) => s.id === item.sourceId) ?? null;
    title.textContent = source ? `${source.name}` : 'Missing source';
    showItem(item);
    sourceSettings.show(source);
  };
  root.append(hint, form);
  const schedule = batched(render);
  studio.addEventListener('scenes', schedule);
  selection.addEventListener('change', schedule);
  render();
}
