import { h } from './dom.ts';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
export type FieldKind = 'number' | 'text' | 'textarea' | 'checkbox' | 'color' | 'select' | 'range';

/** How to build one labelled form field. */
export interface FieldSpec {
  id: string;
  label: string;
  kind: FieldKind;
  /** select: [value, text] pairs. */
  options?: readonly (readonly [string, string])[];
  min?: number;
  max?: number;
  step?: number;
  /** Commit on every input (sliders, colours, text) instead of on change (Enter or leaving the field). */
  live?: boolean;
  /** range: the readout beside the slider. */
  format?: (v: number) => string;
  /** Live fields: the commits of one slider drag or one typing session become one undo step. */
  groups?: EditGroups;
}

/** What a live field needs to make its commits one undo step (Studio has both). */
export interface EditGroups { beginEditGroup(label: string): void; endEditGroup(): void }

/**
 * A form field showing one value of the studio's state. The state is the only copy: `show` writes
 * it into the control unless the person is typing there or the last commit failed, in which case
 * the typed value stays with the studio's error message beside it (Escape gives the value back).
 */
export interface Field<T> {
  row: HTMLElement;
  input: Control;
  show(v: T): void;
  /** Drops the typed value and any error, and shows the state's value again. */
  reset(): void;
  setDisabled(d: boolean): void;
}

/** Rounds for display so 213.33333 reads as 213.33; the stored value keeps its precision. */
const fmtNumber = (n: number) => String(Math.round(n * 100) / 100);

/** '#abc' → '#aabbcc', '#rrggbbaa' → '#rrggbb': what <input type=color> accepts. */
export function toColorInput(hex: string): string {
  const m = /^#([0-9a-f]{3,8})$/i.exec(hex ?? '');
  if (!m) return '#000000';
  let s = m[1]!;
  if (s.length <= 4) s = [...s.slice(0, 3)].map((c) => c + c).join('');
  return `#${s.slice(0, 6).toLowerCase()}`;
}

function makeControl(spec: FieldSpec): Control {
  const a = { id: spec.id, min: spec.min, max: spec.max, step: spec.step };
  switch (spec.kind) {
    case 'textarea': return h('textarea', { id: spec.id, rows: 2 });
    case 'select': return h('select', { id: spec.id }, ...(spec.options ?? []).map(([value, text]) => h('option', { value, text })));
    case 'range': return h('input', { type: 'range', ...a });
    case 'number': return h('input', { type: 'number', ...a });
    default: return h('input', { type: spec.kind, id: spec.id });
  }
}

/** Builds a field; `commit` gets the control's value and its rejection's message is shown beside it. */
export function field<T>(spec: FieldSpec, commit: (v: T) => Promise<unknown>): Field<T> {
  const input = makeControl(spec);
  const el = input as HTMLInputElement;
  const error = h('span', { class: 'field-error', id: `${spec.id}-error`, 'aria-live': 'polite', hidden: true });
  input.setAttribute('aria-describedby', error.id);
  const readout = spec.kind === 'range' ? h('output', { for: spec.id, class: 'readout' }) : null;
  const label = h('label', { for: spec.id, text: spec.label });
  const row = spec.kind === 'checkbox'
    ? h('div', { class: 'field field-check' }, input, label, error)
    : h('div', { class: `field field-${spec.kind}` }, label, input, readout, error);

  let last: T | undefined;
  let dirty = false;
  const raw = () => (spec.kind === 'checkbox' ? String(el.checked) : input.value);
  const read = (): T => {
    if (spec.kind === 'checkbox') return el.checked as T;
    // An empty or malformed number reads as NaN, which the studio rejects with a message.
    if (spec.kind === 'number' || spec.kind === 'range') return (input.value.trim() === '' ? NaN : Number(input.value)) as T;
    return input.value as T;
  };
  const write = (v: T) => {
    if (spec.kind === 'checkbox') el.checked = v as boolean;
    else if (spec.kind === 'number') input.value = fmtNumber(v as number);
    else if (spec.kind === 'color') input.value = toColorInput(v as string);
    else input.value = String(v);
    if (readout) readout.textContent = (spec.format ?? fmtNumber)(v as number);
  };
  const setError = (msg: string | null) => {
    error.textContent = msg ?? '';
    error.hidden = !msg;
    if (msg) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  let inflight = 0;
  // A live field's commits from its first input to its change (slider released, text field left) are one undo step.
  let grouped = false;
  let lastSend: Promise<void> = Promise.resolve();
  const endGroup = () => {
    if (!grouped) return;
    grouped = false;
    void lastSend.finally(() => spec.groups!.endEditGroup());
  };
  const send = async () => {
    const sent = raw();
    inflight++;
    try {
      await commit(read());
      setError(null);
      // A newer keystroke may have arrived while this commit ran: only then is the field still dirty.
      if (raw() === sent) { dirty = false; if (last !== undefined) write(last); }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      inflight--;
    }
  };
  input.addEventListener('input', () => {
    dirty = true;
    if (readout) readout.textContent = (spec.format ?? fmtNumber)(Number(input.value));
    if (spec.live) {
      if (spec.groups && !grouped) { grouped = true; spec.groups.beginEditGroup(`Change ${spec.label}`); }
      lastSend = send();
    }
  });
  input.addEventListener('change', () => { dirty = true; if (!spec.live) void send(); else endGroup(); });
  input.addEventListener('focusout', endGroup);
  // Typing and then leaving with the value unchanged fires no change: follow the state again.
  input.addEventListener('blur', () => { if (!inflight && error.hidden) api.reset(); });
  input.addEventListener('keydown', (ev) => { if ((ev as KeyboardEvent).key === 'Escape') api.reset(); });

  const api: Field<T> = {
    row, input,
    show(v) { last = v; if (!dirty) write(v); },
    reset() { dirty = false; setError(null); if (last !== undefined) write(last); },
    setDisabled(d) { input.disabled = d; },
  };
  return api;
}

/**
 * Wraps an async setter so that while one call runs, later values replace each other: a dragged
 * slider sends one worker round trip at a time, always with the newest value. Every caller's
 * promise settles when the queue drains, rejecting with the last call's error if it failed.
 */
export function latestOnly<T>(fn: (v: T) => Promise<unknown>): (v: T) => Promise<void> {
  let running: Promise<void> | null = null;
  let pending: { v: T } | null = null;
  const loop = async () => {
    let failure: unknown = null;
    try {
      while (pending) {
        const { v } = pending;
        pending = null;
        try { await fn(v); failure = null; } catch (e) { failure = e; }
      }
    } finally { running = null; }
    if (failure) throw failure;
  };
  return (v: T) => {
    pending = { v };
    return (running ??= loop());
  };
}
