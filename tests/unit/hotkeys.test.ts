import { describe, expect, it } from 'vitest';
import { ariaShortcut, comboFromEvent, formatCombo, normalizeCombo, parseCombo, typingTarget } from '../../src/ui/hotkey-combos.ts';
import {
  actionFor, bindCombo, clearCombos, effectiveBindings, emptyConfig, HOTKEYS_STORAGE_KEY, loadHotkeys, parseHotkeyConfig, saveHotkeys,
} from '../../src/ui/hotkey-config.ts';
import { HOTKEY_TABLE, type HotkeyContext } from '../../src/ui/hotkeys.ts';
import { itemKeyEdit } from '../../src/ui/item-keys.ts';

const key = (code: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean }> = {}) =>
  ({ code, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods });

describe('key combinations', () => {
  it('are made from key presses with modifiers in a fixed order; a lone modifier is none', () => {
    expect(comboFromEvent(key('Digit1'))).toBe('Digit1');
    expect(comboFromEvent(key('KeyZ', { shiftKey: true, ctrlKey: true }))).toBe('Ctrl+Shift+KeyZ');
    expect(comboFromEvent(key('F9', { metaKey: true, altKey: true }))).toBe('Alt+Meta+F9');
    expect(comboFromEvent(key('ShiftLeft', { shiftKey: true }))).toBeNull();
    expect(comboFromEvent(key('ControlRight', { ctrlKey: true }))).toBeNull();
    expect(comboFromEvent(key(''))).toBeNull();
  });

  it('parse and normalize strings (any modifier order and case), and reject what is not one', () => {
    expect(normalizeCombo('shift+ctrl+KeyZ')).toBe('Ctrl+Shift+KeyZ');
    expect(normalizeCombo('Control+Digit2')).toBe('Ctrl+Digit2');
    expect(parseCombo('F9')).toEqual({ ctrl: false, alt: false, shift: false, meta: false, code: 'F9' });
    for (const bad of ['', 'Ctrl+', 'Ctrl+Ctrl+KeyA', 'Hyper+KeyA', 'Shift', 'Ctrl+ShiftLeft', 'Key A', 'x'.repeat(61), '+']) {
      expect(parseCombo(bad), bad).toBeNull();
    }
  });

  it('read as people and screen readers name them', () => {
    expect(formatCombo('Ctrl+Shift+KeyZ')).toBe('Ctrl+Shift+Z');
    expect(formatCombo('Digit3')).toBe('3');
    expect(formatCombo('Numpad7')).toBe('Num 7');
    expect(formatCombo('Alt+ArrowLeft')).toBe('Alt+←');
    expect(formatCombo('nonsense+')).toBe('');
    expect(ariaShortcut('Ctrl+Shift+KeyZ')).toBe('Control+Shift+Z');
    expect(ariaShortcut('Digit1')).toBe('1');
    expect(ariaShortcut('Shift+F9')).toBe('Shift+F9');
  });

  it('never count while typing in a text field, a select or editable content', () => {
    const el = (tagName: string, extra: object = {}) => ({ tagName, closest: () => null, ...extra });
    expect(typingTarget(el('INPUT', { type: 'text' }))).toBe(true);
    expect(typingTarget(el('INPUT', { type: 'number' }))).toBe(true);
    expect(typingTarget(el('INPUT', {}))).toBe(true);
    expect(typingTarget(el('TEXTAREA'))).toBe(true);
    expect(typingTarget(el('SELECT'))).toBe(true);
    expect(typingTarget(el('DIV', { isContentEditable: true }))).toBe(true);
    expect(typingTarget(el('SPAN', { closest: (s: string) => (s.includes('contenteditable') ? {} : null) }))).toBe(true);
    // A focused checkbox, slider or button takes no typing: Ctrl+Z after ticking "Visible" still undoes.
    expect(typingTarget(el('INPUT', { type: 'checkbox' }))).toBe(false);
    expect(typingTarget(el('INPUT', { type: 'range' }))).toBe(false);
    expect(typingTarget(el('BUTTON'))).toBe(false);
    expect(typingTarget(null)).toBe(false);
  });
});

describe('stored hotkeys', () => {
  const defaults = new Map<string, readonly string[]>([['scene.1', ['Digit1']], ['scene.2', ['Digit2']], ['record', ['F9']], ['chapter', []]]);

  it('load valid overrides and fall back to the defaults, with a reason, for anything invalid', () => {
    expect(parseHotkeyConfig(null)).toEqual({ config: emptyConfig(), problem: null });
    const ok = parseHotkeyConfig(JSON.stringify({ version: 1, bindings: { record: ['shift+F8', 'Shift+F8'], chapter: ['KeyM'] } }));
    expect(ok).toEqual({ config: { version: 1, bindings: { record: ['Shift+F8'], chapter: ['KeyM'] } }, problem: null });
    const cases: [string, RegExp][] = [
      ['{', /not valid JSON/],
      ['[]', /must be an object/],
      [JSON.stringify({ version: 2, bindings: {} }), /version: must be 1/],
      [JSON.stringify({ version: 1, bindings: { record: 'F9' } }), /record: must be a list/],
      [JSON.stringify({ version: 1, bindings: { record: ['Ctrl+'] } }), /is not a key combination/],
      [JSON.stringify({ version: 1, bindings: { record: ['Tab'] } }), /kept for moving around/],
      [JSON.stringify({ version: 1, bindings: { record: ['F1', 'F2', 'F3', 'F4', 'F5'] } }), /more than 4/],
      [JSON.stringify({ version: 1, bindings: {}, extra: true }), /not valid/],
      ['"' + 'x'.repeat(200_000) + '"', /too large/],
    ];
    for (const [raw, why] of cases) {
      const r = parseHotkeyConfig(raw);
      expect(r.config, raw.slice(0, 40)).toEqual(emptyConfig());
      expect(r.problem, raw.slice(0, 40)).toMatch(why);
    }
  });

  it('round-trip through storage, storing only what differs from the defaults', () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v), removeItem: (k: string) => void mem.delete(k) };
    const { config } = bindCombo(emptyConfig(), defaults, 'chapter', 'KeyM');
    expect(saveHotkeys(config, storage)).toBe(true);
    expect(JSON.parse(mem.get(HOTKEYS_STORAGE_KEY)!)).toEqual({ version: 1, bindings: { chapter: ['KeyM'] } });
    expect(loadHotkeys(storage).config).toEqual(config);
    expect(saveHotkeys(emptyConfig(), storage)).toBe(true);
    expect(mem.has(HOTKEYS_STORAGE_KEY)).toBe(false);
    const broken = { getItem: () => { throw new Error('blocked'); } };
    expect(loadHotkeys(broken)).toEqual({ config: emptyConfig(), problem: null });
  });

  it('bind a combination to one action, taking it from another; clear; defaults come back when equal', () => {
    let c = emptyConfig();
    let r = bindCombo(c, defaults, 'record', 'Digit2');
    expect(r.takenFrom).toEqual(['scene.2']);
    c = r.config;
    const b = effectiveBindings(defaults, c);
    expect(Object.fromEntries(b)).toEqual({ 'scene.1': ['Digit1'], 'scene.2': [], record: ['Digit2'], chapter: [] });
    expect(actionFor(b, 'Digit2')).toBe('record');
    expect(actionFor(b, 'F9')).toBeNull();
    r = bindCombo(c, defaults, 'record', 'F9');
    r = bindCombo(r.config, defaults, 'scene.2', 'Digit2');
    expect(r.config.bindings).toEqual({}); // back to the defaults: nothing stored
    c = clearCombos(emptyConfig(), defaults, 'scene.1');
    expect(effectiveBindings(defaults, c).get('scene.1')).toEqual([]);
    expect(actionFor(effectiveBindings(defaults, c), 'Digit1')).toBeNull();
    expect(() => bindCombo(c, defaults, 'record', 'Ctrl+')).toThrow(RangeError);
  });
});

describe('the action table', () => {
  const ctx = (extra: object = {}): HotkeyContext => ({
    studio: {
      scenes: { sources: [
        { id: 'src-cam', name: 'Camera', settings: { kind: 'camera' }, background: { type: 'none' } },
        { id: 'src-txt', name: 'Title', settings: { kind: 'text' }, background: { type: 'none' } },
      ], scenes: [] },
      ...extra,
    } as never,
    announce: () => {},
    audio: [{ id: 'audio-1', kind: 'microphone', label: 'Mic', gainDb: 0, muted: false, pan: 0, monitor: false, eq: [] }],
  });

  it('lists scenes 1–9 on the digit keys, recording on F9, undo/redo, mutes and filter toggles', () => {
    const actions = HOTKEY_TABLE.flatMap((e) => e(ctx()));
    const byId = new Map(actions.map((a) => [a.id, a.defaults]));
    expect(byId.get('scene.1')).toEqual(['Digit1']);
    expect(byId.get('scene.9')).toEqual(['Digit9']);
    expect(byId.get('record')).toEqual(['F9']);
    expect(byId.get('pause')).toEqual(['Shift+F9']);
    expect(byId.get('undo')).toContain('Ctrl+KeyZ');
    expect(byId.get('redo')).toEqual(expect.arrayContaining(['Ctrl+Shift+KeyZ', 'Ctrl+KeyY']));
    expect(byId.has('chapter') && byId.has('mute.master') && byId.has('mute.microphone:Mic')).toBe(true);
    expect(byId.has('filter.src-cam')).toBe(true);
    expect(byId.has('filter.src-txt')).toBe(false); // a text source has no background to remove
    expect(byId.has('transition')).toBe(false);
    // No two actions share a default combination.
    const all = actions.flatMap((a) => a.defaults);
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });

  it('offers "Transition" as soon as the studio has it (studio mode), with no other change', () => {
    const ids = HOTKEY_TABLE.flatMap((e) => e(ctx({ transition: async () => {} }))).map((a) => a.id);
    expect(ids).toContain('transition');
  });
});

describe('keyboard editing of the selected item', () => {
  const t = { x: 100, y: 50, width: 640, height: 360 };
  const k = (keyName: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    itemKeyEdit({ key: keyName, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods }, t);

  it('moves by 1 px, or 10 px with Shift', () => {
    expect(k('ArrowRight')).toEqual({ kind: 'move', patch: { x: 101 } });
    expect(k('ArrowLeft', { shiftKey: true })).toEqual({ kind: 'move', patch: { x: 90 } });
    expect(k('ArrowUp')).toEqual({ kind: 'move', patch: { y: 49 } });
    expect(k('ArrowDown', { shiftKey: true })).toEqual({ kind: 'move', patch: { y: 60 } });
  });

  it('resizes by 10 px keeping the aspect ratio, or one side with Shift; +/- too; never below 1 px', () => {
    expect(k('ArrowRight', { ctrlKey: true })).toEqual({ kind: 'resize', patch: { width: 650, height: 360 * 650 / 640 } });
    expect(k('ArrowUp', { metaKey: true })).toEqual({ kind: 'resize', patch: { height: 350, width: 640 * 350 / 360 } });
    expect(k('ArrowDown', { ctrlKey: true, shiftKey: true })).toEqual({ kind: 'resize', patch: { height: 370 } });
    expect(k('+')).toEqual(k('ArrowRight', { ctrlKey: true }));
    expect(k('-')).toEqual(k('ArrowLeft', { ctrlKey: true }));
    expect(itemKeyEdit({ key: 'ArrowLeft', shiftKey: true, ctrlKey: true, metaKey: false, altKey: false }, { ...t, width: 4 })).toEqual({ kind: 'resize', patch: { width: 1 } });
  });

  it('leaves other keys alone', () => {
    expect(k('a')).toBeNull();
    expect(k('ArrowRight', { altKey: true })).toBeNull();
    expect(k('+', { ctrlKey: true })).toBeNull(); // browser zoom
    expect(k('Enter')).toBeNull();
  });
});
