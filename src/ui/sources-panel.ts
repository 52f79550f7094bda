import { h } from './dom.ts';
import { batched, keyedList, type KeyedRow } from './keyed-list.ts';
import { icon, type IconName } from './icons.ts';
import type { Selection } from './selection.ts';
import { wireSourceKeys } from './sources-keys.ts';
import type { Studio, SourceInfo, SourceSpec } from '../studio.ts';
import type { SceneItem } from '../scene/types.ts';

type Report = (e: unknown) => void;
const KIND_NAMES: Record<SourceSpec['kind'], string> = { camera: 'camera', display: 'screen', image: 'image', color: 'colour', text: 'text', video: 'video' };
interface ItemRowData { item: Readonly<SceneItem>; source: SourceInfo | undefined; index: number; count: number; sharedElsewhere: boolean; selected: boolean }

/** Sets a button's or span's icon, rebuilding it only when it changes. */
function setIcon(el: HTMLElement, name: IconName): void {
  if (el.dataset.icon === name) return;
  el.dataset.icon = name;
  el.replaceChildren(icon(name));
}

/** A hidden file input and the button that opens it; `pick` gets the chosen file. */
function filePicker(accept: string, label: string, buttonText: string, pick: (f: File) => void) {
  const input = h('input', { type: 'file', accept, class: 'visually-hidden', tabindex: '-1', 'aria-label': label });
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    input.value = '';
    if (f) pick(f);
  });
  const button = h('button', { type: 'button', onclick: () => input.click() }, buttonText);
  return { button, input };
}

/**
 * The Sources dock: the current scene's items, the top of the list being the top of the z order
 * (as in OBS), each with its source's status, show/hide, lock, reorder and remove; and the
 * "add source" menu. Clicking a name selects the item for the Properties panel.
 */
export function mountSources(root: HTMLElement, studio: Studio, selection: Selection, report: Report): void {
  const list = h('ul', { class: 'dock-list', id: 'sources-list', 'aria-label': 'Sources', tabindex: '-1' });
  const empty = h('p', { class: 'hint-inline', text: 'No sources in this scene. Add one below.' });
  const keys = wireSourceKeys(list, root, studio, selection, report);

  /** Adds a source, shows it in the current scene and selects it. */
  const addToScene = async (spec: SourceSpec, place?: (w: number, hgt: number) => Parameters<Studio['addItem']>[2]) => {
    menu.open = false;
    // The source and its item are one undo step.
    studio.beginEditGroup(`Add ${spec.name ?? KIND_NAMES[spec.kind]}`);
    try {
      const sourceId = await studio.addSource(spec);
      const o = studio.scenes.output;
      const itemId = await studio.addItem(studio.editingScene, sourceId, place?.(o.width, o.height));
      selection.set(itemId);
    } catch (e) { report(e); } finally { studio.endEditGroup(); }
  };
  const image = filePicker('image/*', 'Image file to add', 'Image…', (f) => void addToScene({ kind: 'image', image: f, name: f.name }));
  const video = filePicker('video/*', 'Video file to add', 'Video file…', (f) => void addToScene({ kind: 'video', file: f, name: f.name }));
  image.button.setAttribute('aria-label', 'Add image…');
  video.button.setAttribute('aria-label', 'Add video file…');
  const colour = h('input', { type: 'color', value: '#4f8cff', 'aria-label': 'Colour for the new colour source' });
  const addButton = (label: string, text: string, fn: () => void) => h('button', { type: 'button', 'aria-label': label, onclick: fn }, text);
  const menu = h('details', { class: 'add-menu' }, h('summary', { text: '+ Add source' }),
    h('div', { class: 'add-items', role: 'group', 'aria-label': 'Source kinds' },
      addButton('Add camera', 'Camera', () => void addToScene({ kind: 'camera' })),
      addButton('Add screen', 'Screen', () => void addToScene({ kind: 'display' })),
      image.button, image.input,
      h('span', { class: 'add-colour' }, addButton('Add colour', 'Colour', () => void addToScene({ kind: 'color', color: colour.value })), colour),
      // A text box starts in the lower third; the text is then edited in Properties.
      addButton('Add text', 'Text', () => void addToScene({ kind: 'text', text: 'Text' },
        (w, hgt) => ({ x: w * 0.05, y: hgt * 0.75, width: w * 0.9, height: hgt * 0.18 }))),
      video.button, video.input));

  function itemRow(d: ItemRowData): KeyedRow<ItemRowData> {
    let data = d;
    const itemId = d.item.id;
    const eye = h('button', { type: 'button', class: 'icon toggle eye', onclick: () => { studio.updateItem(itemId, { visible: !data.item.visible }).catch(report); } });
    const lock = h('button', { type: 'button', class: 'icon toggle lock', onclick: () => { studio.updateItem(itemId, { locked: !data.item.locked }).catch(report); } });
    const kind = h('span', { class: 'kind', 'aria-hidden': 'true' });
    const name = h('button', { type: 'button', class: 'row-name', onclick: () => keys.picked(itemId) });
    keys.nameAttrs(name);
    const status = h('span', { class: 'status' });
    const start = h('button', { type: 'button', class: 'small', text: 'Start', onclick: () => { studio.reopenSource(data.item.sourceId).catch(report); } });
    const refile = filePicker('video/*', 'Video file to reopen', 'Choose file…', (f) => { studio.reopenSource(data.item.sourceId, f).catch(report); });
    refile.button.classList.add('small');
    const up = h('button', { type: 'button', class: 'icon', text: '▲', onclick: () => { studio.reorderItem(itemId, data.index + 1).catch(report); } });
    const down = h('button', { type: 'button', class: 'icon', text: '▼', onclick: () => { studio.reorderItem(itemId, data.index - 1).catch(report); } });
    const remove = h('button', { type: 'button', class: 'icon danger', text: '✕' });
    // Removing asks where: from this scene only, or (when no other scene uses it) the source too.
    const confirmText = h('span', { class: 'confirm-text' });
    const fromScene = h('button', { type: 'button', class: 'small', text: 'Remove from scene', onclick: () => { studio.removeItem(itemId).catch(report); } });
    const deleteSource = h('button', { type: 'button', class: 'small danger', text: 'Delete source', onclick: () => { studio.removeSource(data.item.sourceId).catch(report); } });
    const cancel = h('button', { type: 'button', class: 'small', text: 'Cancel', onclick: () => { confirm.hidden = true; remove.focus(); } });
    const confirm = h('div', { class: 'confirm', role: 'group', hidden: true }, confirmText, fromScene, deleteSource, cancel);
    remove.addEventListener('click', () => { confirm.hidden = !confirm.hidden; if (!confirm.hidden) fromScene.focus(); });
    const el = h('li', { class: 'dock-row source-row', 'data-item-id': itemId },
      eye, lock, kind, name, h('span', { class: 'row-tools' }, status, start, refile.button, refile.input, up, down, remove), confirm);

    const update = (v: ItemRowData) => {
      data = v;
      const src = v.source;
      const n = src?.name ?? '(missing source)';
      name.textContent = n;
      if (v.selected) name.setAttribute('aria-current', 'true'); else name.removeAttribute('aria-current');
      el.classList.toggle('selected', v.selected);
      el.classList.toggle('hidden-item', !v.item.visible);
      setIcon(kind, src?.settings.kind ?? 'image');
      kind.title = src?.settings.kind ?? '';
      setIcon(eye, v.item.visible ? 'eye' : 'eyeOff');
      eye.setAttribute('aria-label', `Show ${n}`);
      eye.setAttribute('aria-pressed', String(v.item.visible));
      setIcon(lock, v.item.locked ? 'lock' : 'unlock');
      lock.setAttribute('aria-label', `Lock ${n}`);
      lock.setAttribute('aria-pressed', String(v.item.locked));
      const st = src?.status ?? 'missing';
      const k = src?.settings.kind;
      status.textContent = st;
      status.className = `status status-${st}`;
      status.title = src?.message ?? '';
      start.hidden = !((k === 'camera' || k === 'display') && (st === 'off' || st === 'ended'));
      start.setAttribute('aria-label', `Start ${n}`);
      refile.button.hidden = !(k === 'video' && st === 'missing');
      refile.button.setAttribute('aria-label', `Choose file for ${n}…`);
      up.setAttribute('aria-label', `Move ${n} up`);
      down.setAttribute('aria-label', `Move ${n} down`);
      up.disabled = v.index === v.count - 1;
      down.disabled = v.index === 0;
      remove.setAttribute('aria-label', `Remove ${n}`);
      confirm.setAttribute('aria-label', `Remove ${n}`);
      confirmText.textContent = v.sharedElsewhere ? 'Other scenes keep this source.' : 'No other scene uses this source.';
      deleteSource.hidden = v.sharedElsewhere;
      deleteSource.setAttribute('aria-label', `Delete source ${n}`);
    };
    return { el, update };
  }

  const sync = keyedList<ItemRowData>(list, (d) => d.item.id, itemRow);
  const render = () => {
    const st = studio.scenes;
    const scene = st.scenes.find((s) => s.id === studio.editingScene);
    const items = scene?.items ?? [];
    if (selection.itemId && !items.some((i) => i.id === selection.itemId)) selection.set(null);
    const sources = new Map(studio.listSources().map((s) => [s.id, s]));
    const uses = new Map<string, number>();
    for (const sc of st.scenes) for (const it of sc.items) uses.set(it.sourceId, (uses.get(it.sourceId) ?? 0) + 1);
    const rows = items.map((item, index) => ({
      item, source: sources.get(item.sourceId), index, count: items.length,
      sharedElsewhere: (uses.get(item.sourceId) ?? 0) > 1, selected: item.id === selection.itemId,
    }));
    sync(rows.reverse());
    empty.hidden = items.length > 0;
  };
  root.append(list, empty, menu);
  const schedule = batched(render);
  studio.addEventListener('scenes', schedule);
  selection.addEventListener('change', schedule);
  render();
}
