import { h } from './dom.ts';
import { batched, keyedList, type KeyedRow } from './keyed-list.ts';
import { ariaShortcut, comboFromEvent, formatCombo, RESERVED_CODES, parseCombo } from './hotkey-combos.ts';
import { bindCombo, clearCombos, emptyConfig } from './hotkey-config.ts';
import type { HotkeyAction, Hotkeys } from './hotkeys.ts';

type Row = { kind: 'group'; group: string } | { kind: 'action'; action: HotkeyAction; combos: string[] };

/**
 * The Hotkeys panel: every action with its keys; "Set" records the next key combination pressed
 * (Escape cancels, Tab leaves), "Clear" leaves the action without keys, "Reset" brings back the
 * defaults. A combination another action had moves to the new one, and the panel says so.
 */
export function mountHotkeysPanel(parent: HTMLElement, hotkeys: Hotkeys): HTMLElement {
  const section = h('section', { id: 'hotkeys', class: 'panel', 'aria-labelledby': 'hotkeys-h' }, h('h2', { id: 'hotkeys-h', text: 'Hotkeys' }));
  const body = h('tbody');
  const table = h('table', { class: 'hotkeys-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Action' }), h('th', { scope: 'col', text: 'Keys' }), h('th', { scope: 'col', text: '' }))), body);
  const message = h('p', { class: 'hint-inline', role: 'status', id: 'hotkeys-message' });
  const reset = h('button', { type: 'button', id: 'hotkeys-reset', text: 'Reset to defaults' });
  const details = h('details', { id: 'hotkeys-details' }, h('summary', { text: 'Edit hotkeys' }),
    h('p', { class: 'hint-inline', text: 'Hotkeys do nothing while you type in a field. Choose "Set", then press the keys.' }),
    table, h('div', { class: 'dock-tools' }, reset), message);
  section.append(details);
  parent.append(section);

  const labelOf = (id: string) => hotkeys.actions().find((a) => a.id === id)?.label ?? id;
  let stopRecording: (() => void) | null = null;

  /** Waits for the next combination for `action`; the button shows that it listens. */
  const record = (action: HotkeyAction, button: HTMLButtonElement) => {
    stopRecording?.();
    hotkeys.suspended = true;
    button.textContent = 'Press keys…';
    button.setAttribute('aria-pressed', 'true');
    message.textContent = `Press the new keys for "${action.label}". Escape cancels.`;
    const onKey = (e: KeyboardEvent) => {
      if (e.code === 'Tab') { stop(); return; }
      e.preventDefault();
      e.stopImmediatePropagation();
      if (e.code === 'Escape') { stop(); message.textContent = 'Unchanged.'; return; }
      const combo = comboFromEvent(e);
      if (!combo) return; // a lone modifier: wait for the key
      if (RESERVED_CODES.has(parseCombo(combo)!.code)) return;
      const { config, takenFrom } = bindCombo(hotkeys.config, hotkeys.defaults(), action.id, combo);
      stop();
      hotkeys.setConfig(config);
      message.textContent = `${action.label}: ${formatCombo(combo)}` +
        (takenFrom.length ? ` (no longer for ${takenFrom.map(labelOf).join(', ')})` : '');
    };
    const stop = () => {
      window.removeEventListener('keydown', onKey, true);
      button.removeEventListener('blur', stop);
      button.textContent = 'Set';
      button.setAttribute('aria-pressed', 'false');
      hotkeys.suspended = false;
      stopRecording = null;
    };
    // Capture on window: the key reaches no other handler (the chapter key, the Sources list).
    window.addEventListener('keydown', onKey, true);
    button.addEventListener('blur', stop);
    stopRecording = stop;
  };

  const makeRow = (r: Row): KeyedRow<Row> => {
    if (r.kind === 'group') {
      const th = h('th', { colspan: 3, scope: 'colgroup', text: r.group });
      return { el: h('tr', { class: 'hk-group' }, th), update: (v) => { if (v.kind === 'group') th.textContent = v.group; } };
    }
    let action = r.action;
    const name = h('th', { scope: 'row' });
    const keys = h('td', { class: 'hk-keys' });
    const set = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false', text: 'Set' });
    const clear = h('button', { type: 'button', class: 'small', text: 'Clear' });
    set.addEventListener('click', () => {
      if (set.getAttribute('aria-pressed') === 'true') { stopRecording?.(); return; }
      record(action, set);
    });
    clear.addEventListener('click', () => {
      hotkeys.setConfig(clearCombos(hotkeys.config, hotkeys.defaults(), action.id));
      message.textContent = `${action.label}: no keys`;
    });
    const el = h('tr', { 'data-action': r.action.id }, name, keys, h('td', { class: 'hk-tools' }, set, clear));
    return {
      el,
      update(v) {
        if (v.kind !== 'action') return;
        action = v.action;
        name.textContent = v.action.label;
        keys.replaceChildren(...(v.combos.length ? v.combos.flatMap((c, i) => [i ? ', ' : '', h('kbd', { text: formatCombo(c) })]) : [h('span', { class: 'hk-none', text: 'none' })]));
        set.setAttribute('aria-label', `Set keys for ${v.action.label}`);
        clear.setAttribute('aria-label', `Clear keys for ${v.action.label}`);
        clear.disabled = v.combos.length === 0;
        const aria = v.combos.map(ariaShortcut).filter(Boolean).join(' ');
        if (aria) set.setAttribute('aria-keyshortcuts', aria); else set.removeAttribute('aria-keyshortcuts');
      },
    };
  };

  const sync = keyedList<Row>(body, (r) => (r.kind === 'group' ? `g:${r.group}` : `a:${r.action.id}`), makeRow);
  const render = () => {
    if (!details.open) return;
    const bindings = hotkeys.bindings();
    const rows: Row[] = [];
    let group = '';
    for (const action of hotkeys.actions()) {
      if (action.group !== group) { group = action.group; rows.push({ kind: 'group', group }); }
      rows.push({ kind: 'action', action, combos: bindings.get(action.id) ?? [] });
    }
    sync(rows);
  };
  reset.addEventListener('click', () => {
    stopRecording?.();
    hotkeys.setConfig(emptyConfig());
    message.textContent = 'Every hotkey is back to its default.';
  });
  const schedule = batched(render);
  hotkeys.events.addEventListener('change', schedule);
  details.addEventListener('toggle', () => { if (details.open) render(); else stopRecording?.(); });
  return section;
}
