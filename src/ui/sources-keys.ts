import { h } from './dom.ts';
import { itemKeyEdit, ITEM_KEY_SHORTCUTS } from './item-keys.ts';
import type { Selection } from './selection.ts';
import type { Studio } from '../studio.ts';
import type { SceneItem } from '../scene/types.ts';

/** The hint screen readers read with each source's name (and what the keys are documented as). */
export const SOURCES_KEYS_HINT = 'Up and down arrow keys go through the sources; Enter selects one for editing. ' +
  'Then arrow keys move it by 1 pixel, with Shift by 10; Ctrl with arrow keys resizes it by 10 pixels keeping its shape, ' +
  'Ctrl and Shift resize one side only; plus and minus grow and shrink it; Delete removes it from the scene; ' +
  'Escape goes back to moving through the list. Ctrl+Z undoes.';

/**
 * Keyboard editing in the Sources list. A row's name is a button: Up/Down/Home/End move the
 * focus between rows, Enter (or a click) selects the item and starts editing it, and while it is
 * being edited the arrow keys move and resize it (item-keys.ts), Delete removes it from the scene
 * and Escape (or leaving the list) stops. A held key is one undo step. What changed is announced in a polite live region.
 */
export function wireSourceKeys(list: HTMLElement, root: HTMLElement, studio: Studio, selection: Selection, report: (e: unknown) => void): {
  /** Attributes for a row's name button. */
  nameAttrs(el: HTMLElement): void;
  /** A row's name was clicked (mouse, Enter or Space): that item is now being edited. */
  picked(itemId: string): void;
} {
  const hint = h('p', { id: 'sources-keys-hint', class: 'visually-hidden', text: SOURCES_KEYS_HINT });
  const status = h('p', { id: 'sources-status', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  root.append(hint, status);
  let editing: string | null = null;
  let keyGroup = false;
  let announceTimer = 0;

  const announce = (text: string, delay = 0) => {
    clearTimeout(announceTimer);
    // Held keys repeat quickly: say only where the item ended up.
    announceTimer = window.setTimeout(() => { status.textContent = text; }, delay);
  };
  const endKeyGroup = () => {
    if (!keyGroup) return;
    keyGroup = false;
    studio.endEditGroup();
  };
  const itemOf = (id: string): Readonly<SceneItem> | undefined => {
    const st = studio.scenes;
    return st.scenes.find((s) => s.id === studio.editingScene)?.items.find((i) => i.id === id);
  };
  const nameOf = (item: Readonly<SceneItem>) => studio.scenes.sources.find((s) => s.id === item.sourceId)?.name ?? 'source';
  const rows = () => [...list.querySelectorAll<HTMLElement>(':scope > li[data-item-id] .row-name')];
  const fmt = (n: number) => String(Math.round(n * 10) / 10);

  list.addEventListener('keydown', (e) => {
    const name = (e.target as HTMLElement).closest?.('.row-name') as HTMLElement | null;
    const li = name?.closest('li[data-item-id]') as HTMLElement | null;
    if (!name || !li) return;
    const itemId = li.dataset.itemId!;
    const item = itemOf(itemId);
    if (!item) return;
    const active = editing === itemId && selection.itemId === itemId;

    if (e.key === 'Delete' || (e.key === 'Backspace' && active)) {
      e.preventDefault();
      const all = rows();
      const at = all.indexOf(name);
      const next = all[at + 1] ?? all[at - 1] ?? null;
      const what = nameOf(item);
      studio.removeItem(itemId).then(() => {
        announce(`${what} removed from the scene. Ctrl+Z brings it back.`);
        // The row is gone: the focus goes to its neighbour, not to the page.
        queueMicrotask(() => (next?.isConnected ? next : list).focus());
      }, report);
      return;
    }
    if (!active) {
      const all = rows();
      const at = all.indexOf(name);
      const to = e.key === 'ArrowDown' ? all[at + 1] : e.key === 'ArrowUp' ? all[at - 1] : e.key === 'Home' ? all[0] : e.key === 'End' ? all.at(-1) : undefined;
      if (to && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); to.focus(); }
      return;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      editing = null;
      endKeyGroup();
      announce('Arrow keys now go through the sources.');
      return;
    }
    const edit = itemKeyEdit(e, item);
    if (!edit) return;
    e.preventDefault();
    const what = nameOf(item);
    if (item.locked) { announce(`${what} is locked: unlock it to move or resize it.`); return; }
    if (!keyGroup) {
      keyGroup = true;
      studio.beginEditGroup(`${edit.kind === 'move' ? 'Move' : 'Resize'} ${what}`);
    }
    studio.updateItem(itemId, edit.patch).then(() => {
      const now = itemOf(itemId);
      if (now) announce(`${what}: x ${fmt(now.x)}, y ${fmt(now.y)}, ${fmt(now.width)} by ${fmt(now.height)}`, 300);
    }, report);
  });
  // The group ends with the key: a held arrow is one step, each tap another.
  list.addEventListener('keyup', endKeyGroup);
  list.addEventListener('focusout', (e) => {
    endKeyGroup();
    // Leaving the list ends editing: coming back with Tab, the arrows go through the list first.
    if (!list.contains(e.relatedTarget as Node | null)) editing = null;
  });
  selection.addEventListener('change', () => { if (selection.itemId !== editing) { editing = null; endKeyGroup(); } });

  return {
    nameAttrs(el) {
      el.setAttribute('aria-describedby', hint.id);
      el.setAttribute('aria-keyshortcuts', ITEM_KEY_SHORTCUTS);
    },
    picked(itemId) {
      selection.set(itemId);
      editing = itemId;
      const item = itemOf(itemId);
      if (item) announce(`${nameOf(item)} selected for editing: arrow keys move it, Ctrl with arrow keys resizes it.`);
    },
  };
}
