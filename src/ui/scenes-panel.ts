import { h } from './dom.ts';
import { batched, keyedList, type KeyedRow } from './keyed-list.ts';
import { icon } from './icons.ts';
import type { Studio } from '../studio.ts';
import type { Scene } from '../scene/types.ts';
import { mountTransitions } from './transition-panel.ts';

type Report = (e: unknown) => void;
interface SceneRowData { scene: Readonly<Scene>; current: boolean; previewed: boolean; only: boolean }

/**
 * The Scenes dock (OBS's): the collection's scenes with the one on the program marked; click one
 * to switch to it with its transition (in studio mode: to preview it); add, rename inline,
 * duplicate and delete; the transition settings below the list.
 */
export function mountScenes(root: HTMLElement, studio: Studio, report: Report): void {
  const list = h('ul', { class: 'dock-list', id: 'scenes-list', 'aria-label': 'Scenes' });
  const add = h('button', { type: 'button', id: 'scene-add', 'aria-label': 'Add scene' }, '+ Scene');
  const rows = new Map<string, ReturnType<typeof sceneRow>>();

  add.addEventListener('click', async () => {
    try {
      const id = await studio.createScene();
      render();
      // OBS asks for the new scene's name at once; here the name is edited in its row.
      rows.get(id)?.startRename();
    } catch (e) { report(e); }
  });

  const switchTo = (id: string) => {
    if (studio.studioMode) { studio.setPreviewScene(id).catch(report); return; }
    if (id === studio.currentScene) return;
    studio.switchScene(id).catch(report);
  };

  function sceneRow(d: SceneRowData): KeyedRow<SceneRowData> & { startRename(): void } {
    let data = d;
    const id = d.scene.id;
    const name = h('button', { type: 'button', class: 'row-name', onclick: () => switchTo(id) });
    const edit = h('input', { type: 'text', class: 'row-edit', 'aria-label': 'Scene name', hidden: true });
    const error = h('span', { class: 'field-error', 'aria-live': 'polite', hidden: true });
    const renameBtn = h('button', { type: 'button', class: 'icon', text: '✎', onclick: () => startRename() });
    const dupBtn = h('button', { type: 'button', class: 'icon', onclick: () => { studio.duplicateScene(id).catch(report); } }, icon('copy'));
    const delBtn = h('button', { type: 'button', class: 'icon danger', text: '✕', onclick: () => { studio.removeScene(id).catch(report); } });
    const el = h('li', { class: 'dock-row scene-row', 'data-scene-id': id }, name, edit, h('span', { class: 'row-tools' }, renameBtn, dupBtn, delBtn), error);

    let editing = false, committing = false;
    const stopRename = () => {
      editing = false;
      edit.hidden = true;
      name.hidden = false;
      error.hidden = true;
      edit.removeAttribute('aria-invalid');
    };
    function startRename(): void {
      editing = true;
      edit.value = data.scene.name;
      name.hidden = true;
      edit.hidden = false;
      edit.focus();
      edit.select();
    }
    const commit = async () => {
      if (!editing || committing) return;
      if (edit.value === data.scene.name) { stopRename(); return; }
      committing = true;
      try {
        await studio.renameScene(id, edit.value);
        stopRename();
      } catch (e) {
        // The typed name stays, with the studio's reason beside it.
        error.textContent = e instanceof Error ? e.message : String(e);
        error.hidden = false;
        edit.setAttribute('aria-invalid', 'true');
      } finally { committing = false; }
    };
    edit.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') void commit();
      else if (ev.key === 'Escape') stopRename();
    });
    edit.addEventListener('blur', () => { if (error.hidden) void commit(); });
    name.addEventListener('dblclick', () => startRename());

    const update = (v: SceneRowData) => {
      data = v;
      const n = v.scene.name;
      name.textContent = n;
      name.title = v.current ? `${n} (on the program)` : `Switch to ${n}`;
      if (v.current) name.setAttribute('aria-current', 'true'); else name.removeAttribute('aria-current');
      el.classList.toggle('current', v.current);
      el.classList.toggle('previewed', v.previewed);
      renameBtn.setAttribute('aria-label', `Rename ${n}`);
      dupBtn.setAttribute('aria-label', `Duplicate ${n}`);
      delBtn.setAttribute('aria-label', `Delete ${n}`);
      delBtn.disabled = v.only;
      delBtn.title = v.only ? 'The last scene cannot be deleted' : `Delete ${n}`;
    };
    const row = { el, update, startRename };
    rows.set(id, row);
    return row;
  }

  const sync = keyedList<SceneRowData>(list, (d) => d.scene.id, sceneRow);
  function render(): void {
    const st = studio.scenes;
    sync(st.scenes.map((scene) => ({ scene, current: scene.id === st.currentSceneId, previewed: scene.id === studio.previewScene, only: st.scenes.length === 1 })));
    for (const id of rows.keys()) if (!st.scenes.some((s) => s.id === id)) rows.delete(id);
  }

  root.append(list, h('div', { class: 'dock-tools' }, add));
  mountTransitions(root, studio, report);
  studio.addEventListener('scenes', batched(render));
  render();
}
