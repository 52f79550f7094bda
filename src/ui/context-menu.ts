import { h } from './dom.ts';

/** One command of a context menu; 'separator' draws a line between groups. */
export type MenuEntry = { label: string; action: () => void; disabled?: boolean } | 'separator';

let closeOpen: (() => void) | null = null;

/**
 * Opens a menu at client point (x, y): ARIA menu with arrow keys, Home/End, Enter/Space, Escape.
 * Choosing an entry, Escape, a click elsewhere or Tab closes it and gives the focus back to
 * `returnFocus`. Only one menu is open at a time. Returns a function that closes it.
 */
export function openContextMenu(x: number, y: number, entries: readonly MenuEntry[], label: string, returnFocus: HTMLElement): () => void {
  closeOpen?.();
  const items: HTMLButtonElement[] = [];
  const menu = h('div', { class: 'context-menu', role: 'menu', 'aria-label': label });
  for (const e of entries) {
    if (e === 'separator') { menu.append(h('div', { class: 'context-sep', role: 'separator' })); continue; }
    const b = h('button', { type: 'button', role: 'menuitem', tabindex: '-1', disabled: e.disabled, text: e.label });
    b.addEventListener('click', () => { close(); e.action(); });
    items.push(b);
    menu.append(b);
  }
  const enabled = () => items.filter((b) => !b.disabled);
  const move = (step: number | 'first' | 'last') => {
    const list = enabled();
    if (!list.length) return;
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const i = step === 'first' ? 0 : step === 'last' ? list.length - 1 : (at + step + list.length) % list.length;
    list[i]!.focus();
  };
  menu.addEventListener('keydown', (ev) => {
    const k = ev.key;
    if (k === 'ArrowDown') move(1); else if (k === 'ArrowUp') move(-1);
    else if (k === 'Home') move('first'); else if (k === 'End') move('last');
    else if (k === 'Escape' || k === 'Tab') { close(); returnFocus.focus(); } else return;
    ev.preventDefault();
    ev.stopPropagation();
  });
  const outside = (ev: PointerEvent) => { if (!menu.contains(ev.target as Node)) close(); };
  function close(): void {
    if (closeOpen !== close) return;
    closeOpen = null;
    document.removeEventListener('pointerdown', outside, true);
    menu.remove();
    if (!document.activeElement || document.activeElement === document.body) returnFocus.focus();
  }
  closeOpen = close;
  document.body.append(menu);
  // Keep the menu inside the window.
  const r = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(0, Math.min(x, innerWidth - r.width - 4))}px`;
  menu.style.top = `${Math.max(0, Math.min(y, innerHeight - r.height - 4))}px`;
  document.addEventListener('pointerdown', outside, true);
  move('first');
  return close;
}
