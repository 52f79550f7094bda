/**
 * The person's hotkeys as stored in localStorage: only what differs from the defaults (an
 * action's list of combinations; an empty list means "none"), so new actions and new defaults
 * reach people who changed other keys. Validated with valibot on load; a stored value that does
 * not pass is ignored (the defaults apply) and the reason is given, never half-used.
 */
import * as v from 'valibot';
import { normalizeCombo, parseCombo, RESERVED_CODES } from './hotkey-combos.ts';

/** The localStorage key. */
export const HOTKEYS_STORAGE_KEY = 'backdrop-studio.hotkeys';

/** Bounds on the stored value: it is read on every start. */
export const HOTKEY_LIMITS = { maxActions: 500, maxCombosPerAction: 4, maxActionIdLength: 200, maxJsonChars: 100_000 } as const;

/** What is stored: overrides of the default bindings, per action id. */
export interface HotkeyConfig { version: 1; bindings: Record<string, string[]> }

const comboSchema = v.pipe(
  v.string('must be a string'),
  v.maxLength(60, 'is too long'),
  v.check((s) => parseCombo(s) !== null, 'is not a key combination'),
  v.check((s) => !RESERVED_CODES.has(parseCombo(s)?.code ?? ''), 'uses a key kept for moving around (Tab, Escape)'),
);

const configSchema = v.strictObject({
  version: v.literal(1, 'must be 1'),
  bindings: v.pipe(
    v.record(v.pipe(v.string(), v.minLength(1, 'an action id is empty'), v.maxLength(HOTKEY_LIMITS.maxActionIdLength, 'an action id is too long')),
      v.pipe(v.array(comboSchema, 'must be a list'), v.maxLength(HOTKEY_LIMITS.maxCombosPerAction, `holds more than ${HOTKEY_LIMITS.maxCombosPerAction} combinations`))),
    v.check((r) => Object.keys(r).length <= HOTKEY_LIMITS.maxActions, `names more than ${HOTKEY_LIMITS.maxActions} actions`),
  ),
}, 'must be an object with version and bindings');

/** No overrides: every action has its default keys. */
export const emptyConfig = (): HotkeyConfig => ({ version: 1, bindings: {} });

/** Reads a stored value (a JSON string, or null when none); an invalid one gives the defaults and the reason. */
export function parseHotkeyConfig(raw: string | null): { config: HotkeyConfig; problem: string | null } {
  if (raw === null) return { config: emptyConfig(), problem: null };
  if (raw.length > HOTKEY_LIMITS.maxJsonChars) return { config: emptyConfig(), problem: 'The saved hotkeys are too large; the defaults apply.' };
  let data: unknown;
  try { data = JSON.parse(raw); } catch { return { config: emptyConfig(), problem: 'The saved hotkeys are not valid JSON; the defaults apply.' }; }
  const r = v.safeParse(configSchema, data);
  if (!r.success) {
    const issue = r.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return { config: emptyConfig(), problem: `The saved hotkeys are not valid (${path ? `${path}: ` : ''}${issue.message}); the defaults apply.` };
  }
  const bindings: Record<string, string[]> = Object.create(null);
  for (const [id, combos] of Object.entries(r.output.bindings)) bindings[id] = [...new Set(combos.map((c) => normalizeCombo(c)!))];
  return { config: { version: 1, bindings }, problem: null };
}

/** The stored hotkeys (defaults when none or invalid, with the reason). */
export function loadHotkeys(storage: Pick<Storage, 'getItem'> | null = globalThis.localStorage ?? null): { config: HotkeyConfig; problem: string | null } {
  let raw: string | null = null;
  try { raw = storage?.getItem(HOTKEYS_STORAGE_KEY) ?? null; } catch { /* storage blocked: the defaults apply */ }
  return parseHotkeyConfig(raw);
}

/** Stores the hotkeys; false when storage refused (they then last this visit). */
export function saveHotkeys(config: HotkeyConfig, storage: Pick<Storage, 'setItem' | 'removeItem'> | null = globalThis.localStorage ?? null): boolean {
  try {
    if (Object.keys(config.bindings).length === 0) storage?.removeItem(HOTKEYS_STORAGE_KEY);
    else storage?.setItem(HOTKEYS_STORAGE_KEY, JSON.stringify(config));
    return storage !== null;
  } catch {
    return false;
  }
}

/** Each action's combinations: its override if it has one, else its defaults. */
export function effectiveBindings(defaults: ReadonlyMap<string, readonly string[]>, config: HotkeyConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, combos] of defaults) out.set(id, [...(Object.hasOwn(config.bindings, id) ? config.bindings[id]! : combos)]);
  // Overrides of actions not listed now (a source that is gone) are kept in storage but not active.
  return out;
}

/** The action a combination runs, or null. The first action listed wins if two share one. */
export function actionFor(bindings: ReadonlyMap<string, readonly string[]>, combo: string): string | null {
  for (const [id, combos] of bindings) if (combos.includes(combo)) return id;
  return null;
}

/**
 * Gives `action` the one combination `combo` (replacing its keys); another action that had it
 * loses it. Returns the new config and the ids of the actions it was taken from.
 */
export function bindCombo(config: HotkeyConfig, defaults: ReadonlyMap<string, readonly string[]>, action: string, combo: string): { config: HotkeyConfig; takenFrom: string[] } {
  const norm = normalizeCombo(combo);
  if (!norm) throw new RangeError(`"${combo}" is not a key combination`);
  const bindings = { ...config.bindings };
  const takenFrom: string[] = [];
  for (const [id, combos] of effectiveBindings(defaults, config)) {
    if (id === action || !combos.includes(norm)) continue;
    bindings[id] = combos.filter((c) => c !== norm);
    takenFrom.push(id);
  }
  bindings[action] = [norm];
  return { config: { version: 1, bindings: pruned(bindings, defaults) }, takenFrom };
}

/** Leaves `action` without keys. */
export function clearCombos(config: HotkeyConfig, defaults: ReadonlyMap<string, readonly string[]>, action: string): HotkeyConfig {
  return { version: 1, bindings: pruned({ ...config.bindings, [action]: [] }, defaults) };
}

/** Drops overrides that equal the defaults, so storage holds only real changes. */
function pruned(bindings: Record<string, string[]>, defaults: ReadonlyMap<string, readonly string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, combos] of Object.entries(bindings)) {
    const d = defaults.get(id);
    if (d && d.length === combos.length && d.every((c, i) => c === combos[i])) continue;
    out[id] = combos;
  }
  return out;
}
