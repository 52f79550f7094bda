import { h } from './dom.ts';
import { ariaShortcut, formatCombo } from './hotkey-combos.ts';
import type { Hotkeys } from './hotkeys.ts';
import type { Studio } from '../studio.ts';

/**
 * Undo and Redo buttons: named for screen readers, titled with what they would undo and their
 * keys (Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y unless changed in the Hotkeys panel), disabled when there
 * is nothing to undo or redo. The keys themselves are hotkeys (see hotkeys.ts).
 */
export function mountUndoControls(root: HTMLElement, studio: Studio, hotkeys: Hotkeys, report: (e: unknown) => void): void {
  const make = (way: 'undo' | 'redo') => {
    const b = h('button', { type: 'button', id: `${way}-button`, class: 'small', 'aria-label': way === 'undo' ? 'Undo' : 'Redo', disabled: true },
      way === 'undo' ? '↶ Undo' : '↷ Redo');
    b.addEventListener('click', () => {
      const label = way === 'undo' ? studio.undoLabel : studio.redoLabel;
      (way === 'undo' ? studio.undo() : studio.redo()).then((done) => {
        if (done) hotkeys.announce(`${way === 'undo' ? 'Undone' : 'Redone'}: ${label ?? 'edit'}`);
      }, report);
    });
    return b;
  };
  const undo = make('undo');
  const redo = make('redo');
  root.append(h('span', { class: 'undo-controls', role: 'group', 'aria-label': 'Undo history' }, undo, redo));

  const sync = () => {
    const keys = hotkeys.bindings();
    for (const [b, way, can, label] of [[undo, 'undo', studio.canUndo, studio.undoLabel], [redo, 'redo', studio.canRedo, studio.redoLabel]] as const) {
      // A focused button that becomes disabled would drop the keyboard focus to the page: keep it enabled-looking until blur.
      b.disabled = !can && document.activeElement !== b;
      b.setAttribute('aria-disabled', String(!can));
      const combos = keys.get(way) ?? [];
      const shown = combos.filter((c) => !c.startsWith('Meta+')).map(formatCombo).join(', ');
      b.title = `${way === 'undo' ? 'Undo' : 'Redo'}${label ? ` ${label}` : ''}${shown ? ` (${shown})` : ''}`;
      const aria = combos.map(ariaShortcut).filter(Boolean).join(' ');
      if (aria) b.setAttribute('aria-keyshortcuts', aria); else b.removeAttribute('aria-keyshortcuts');
    }
  };
  for (const b of [undo, redo]) b.addEventListener('blur', sync);
  studio.addEventListener('scenes', sync);
  hotkeys.events.addEventListener('change', sync);
  sync();
}
