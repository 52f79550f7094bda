/**
 * Key combinations as short strings ("Ctrl+Shift+Digit1", "F9"): modifiers in a fixed order,
 * then the physical key (KeyboardEvent.code), so a binding means the same key on any layout and
 * Shift does not turn "1" into "!". Pure functions, tested under Node.
 */

/** The parts of a KeyboardEvent a combination is made of. */
export interface KeyLike { code: string; key?: string; ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean }

/** A parsed combination. */
export interface Combo { ctrl: boolean; alt: boolean; shift: boolean; meta: boolean; code: string }

const MODIFIERS = ['Ctrl', 'Alt', 'Shift', 'Meta'] as const;
const MODIFIER_CODES = new Set(['Shift', 'Control', 'Ctrl', 'Alt', 'Meta', 'ShiftLeft', 'ShiftRight', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'MetaLeft', 'MetaRight', 'OSLeft', 'OSRight', 'CapsLock', 'Fn', 'FnLock']);
const CODE = /^[A-Za-z][A-Za-z0-9]{0,30}$/;

/** Keys that only move focus or leave a dialog; never bound, so the keyboard can always get around. */
export const RESERVED_CODES: ReadonlySet<string> = new Set(['Tab', 'Escape']);

/** The combination as its canonical string. */
export function comboString(c: Combo): string {
  return [c.ctrl && 'Ctrl', c.alt && 'Alt', c.shift && 'Shift', c.meta && 'Meta', c.code].filter(Boolean).join('+');
}

/** Parses "Ctrl+Shift+KeyZ" (modifiers in any order, case-insensitive); null when it is not a combination. */
export function parseCombo(s: string): Combo | null {
  if (typeof s !== 'string' || s.length === 0 || s.length > 60) return null;
  const parts = s.split('+');
  const code = parts.pop()!;
  if (!CODE.test(code) || MODIFIER_CODES.has(code)) return null;
  const c: Combo = { ctrl: false, alt: false, shift: false, meta: false, code };
  for (const p of parts) {
    const m = MODIFIERS.find((x) => x.toLowerCase() === p.toLowerCase() || (x === 'Ctrl' && p.toLowerCase() === 'control'));
    if (!m) return null;
    const k = m.toLowerCase() as 'ctrl' | 'alt' | 'shift' | 'meta';
    if (c[k]) return null;
    c[k] = true;
  }
  return c;
}

/** The canonical form of a combination string, or null when it is not one. */
export function normalizeCombo(s: string): string | null {
  const c = parseCombo(s);
  return c ? comboString(c) : null;
}

/** The combination a key press makes, or null for a lone modifier (or a key without a code). */
export function comboFromEvent(e: KeyLike): string | null {
  if (!e.code || MODIFIER_CODES.has(e.code) || !CODE.test(e.code)) return null;
  return comboString({ ctrl: e.ctrlKey, alt: e.altKey, shift: e.shiftKey, meta: e.metaKey, code: e.code });
}

const NAMES: Record<string, string> = {
  Space: 'Space', Minus: '-', Equal: '=', BracketLeft: '[', BracketRight: ']', Backslash: '\\', Semicolon: ';', Quote: "'",
  Comma: ',', Period: '.', Slash: '/', Backquote: '`', ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→',
  NumpadAdd: 'Num +', NumpadSubtract: 'Num −', NumpadMultiply: 'Num *', NumpadDivide: 'Num /', NumpadEnter: 'Num Enter', NumpadDecimal: 'Num .',
};

/** The physical key's name as people read it: KeyM → M, Digit1 → 1, Numpad1 → Num 1. */
export function keyName(code: string): string {
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit[0-9]$/.test(code)) return code.slice(5);
  if (/^Numpad[0-9]$/.test(code)) return `Num ${code.slice(6)}`;
  return NAMES[code] ?? code;
}

/** The combination as people read it ("Ctrl+Shift+Z"), or '' when it is not one. */
export function formatCombo(s: string): string {
  const c = parseCombo(s);
  if (!c) return '';
  return [c.ctrl && 'Ctrl', c.alt && 'Alt', c.shift && 'Shift', c.meta && 'Meta', keyName(c.code)].filter(Boolean).join('+');
}

const ARIA_KEYS: Record<string, string> = { Space: 'Space', Minus: '-', Equal: '=', Comma: ',', Period: '.', Slash: '/' };

/** The combination in aria-keyshortcuts syntax ("Control+Shift+Z"), or '' when it is not one. */
export function ariaShortcut(s: string): string {
  const c = parseCombo(s);
  if (!c) return '';
  let key = c.code;
  if (/^Key[A-Z]$/.test(key)) key = key.slice(3);
  else if (/^Digit[0-9]$/.test(key)) key = key.slice(5);
  else key = ARIA_KEYS[key] ?? key;
  return [c.ctrl && 'Control', c.alt && 'Alt', c.shift && 'Shift', c.meta && 'Meta', key].filter(Boolean).join('+');
}

/** Input types that take typed text (a focused checkbox, slider or button does not). */
const NOT_TEXT = new Set(['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range', 'reset', 'submit', 'hidden']);

/** What typingTarget needs of an element (so Node tests can pass plain objects). */
export interface ElementLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  closest?(selector: string): unknown;
}

/**
 * Whether a key press goes into something being typed in: a text input, a textarea, a select
 * (letters pick options) or editable content. Hotkeys and undo keys then belong to that field.
 */
export function typingTarget(target: unknown): boolean {
  const el = target as ElementLike | null;
  if (!el || typeof el !== 'object') return false;
  if (el.isContentEditable) return true;
  const tag = (el.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NOT_TEXT.has(String(el.type ?? 'text').toLowerCase());
  return typeof el.closest === 'function' && el.closest('[contenteditable]:not([contenteditable="false"])') !== null;
}
