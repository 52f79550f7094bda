/**
 * Hotkeys: a table of actions (switch to scene N, undo/redo, record, pause, chapter, mute a
 * mixer source, toggle a source's background effect, transition), each with default keys that
 * the person can change in the Hotkeys panel (stored by hotkey-config.ts). Keys never fire while
 * typing in a text field, select or editable content, nor when another handler took the key.
 *
 * The table is a list of entries that each make zero or more actions from the studio's current
 * state, so a new action (studio mode's "Transition") is one entry.
 */
import { DEFAULT_BLUR_STRENGTH, type BackgroundEffect } from '../segment/background-effect.ts';
import type { AudioSourceInfo } from '../audio/audio-types.ts';
import type { Studio } from '../studio.ts';
import { formatDuration, h } from './dom.ts';
import { comboFromEvent, typingTarget } from './hotkey-combos.ts';
import { actionFor, effectiveBindings, loadHotkeys, saveHotkeys, type HotkeyConfig } from './hotkey-config.ts';

/** One thing a hotkey can do. */
export interface HotkeyAction {
  /** Stable id: the key of the stored binding (a source's id is part of it where it names one). */
  id: string;
  label: string;
  /** Heading it is listed under in the panel. */
  group: string;
  /** Combinations it has until the person changes them. */
  defaults: readonly string[];
  /** Whether holding the key repeats it (undo does; recording must not). */
  repeat?: boolean;
  run(): unknown;
}

/** What table entries may use. */
export interface HotkeyContext {
  studio: Studio;
  /** Tells screen-reader users (and the status line) what a key did. */
  announce(message: string): void;
  /** The mixer's sources as last heard of ('audiosources' events); empty before the mixer exists. */
  audio: readonly AudioSourceInfo[];
}

/** A table entry: the actions it offers now. */
export type HotkeyEntry = (ctx: HotkeyContext) => HotkeyAction[];

/** Presses a button of the page as a click would (so a hotkey does exactly what the button does). */
function press(id: string, ctx: HotkeyContext, unavailable: string): void {
  const b = document.getElementById(id) as HTMLButtonElement | null;
  if (!b || b.disabled || b.hidden) { ctx.announce(unavailable); return; }
  b.click();
}

const undoRedo: HotkeyEntry = (ctx) => (['undo', 'redo'] as const).map((way) => ({
  id: way, label: way === 'undo' ? 'Undo' : 'Redo', group: 'Editing', repeat: true,
  defaults: way === 'undo' ? ['Ctrl+KeyZ', 'Meta+KeyZ'] : ['Ctrl+Shift+KeyZ', 'Ctrl+KeyY', 'Meta+Shift+KeyZ'],
  run: async () => {
    const label = way === 'undo' ? ctx.studio.undoLabel : ctx.studio.redoLabel;
    const done = await (way === 'undo' ? ctx.studio.undo() : ctx.studio.redo());
    ctx.announce(done ? `${way === 'undo' ? 'Undone' : 'Redone'}: ${label ?? 'edit'}` : `Nothing to ${way}.`);
  },
}));

const scenes: HotkeyEntry = (ctx) => Array.from({ length: 9 }, (_, i) => ({
  id: `scene.${i + 1}`, label: `Switch to scene ${i + 1}`, group: 'Scenes', defaults: [`Digit${i + 1}`],
  run: async () => {
    const scene = ctx.studio.scenes.scenes[i];
    if (!scene) { ctx.announce(`There is no scene ${i + 1}.`); return; }
    if (scene.id === ctx.studio.currentScene) return;
    await ctx.studio.switchScene(scene.id);
    ctx.announce(`Switched to ${scene.name}`);
  },
}));

/** Studio mode's "Transition" (preview to program), listed once the studio has it. */
const transition: HotkeyEntry = (ctx) => {
  const s = ctx.studio as unknown as { transition?: () => Promise<unknown> };
  return typeof s.transition === 'function'
    ? [{ id: 'transition', label: 'Transition (preview to program)', group: 'Scenes', defaults: [], run: () => s.transition!() }]
    : [];
};

const recording: HotkeyEntry = (ctx) => [
  { id: 'record', label: 'Start or stop recording', group: 'Recording', defaults: ['F9'],
    run: () => press('record-button', ctx, 'Recording cannot start now (is the camera on?).') },
  { id: 'pause', label: 'Pause or resume recording', group: 'Recording', defaults: ['Shift+F9'],
    run: () => press('pause-button', ctx, 'Nothing is being recorded.') },
  { id: 'chapter', label: 'Add a chapter marker', group: 'Recording', defaults: [],
    run: () => {
      const st = ctx.studio.recordingState;
      if (st !== 'recording' && st !== 'paused') { ctx.announce('Chapters can only be added while recording.'); return; }
      const c = ctx.studio.addChapter();
      ctx.announce(`${c.title} at ${formatDuration(c.timeMs)}`);
    } },
];

/** Keeps the mixer strip's Mute button in step with a mute made by a hotkey. */
function showMuted(sourceId: string | null, muted: boolean): void {
  const strip = sourceId === null ? document.querySelector('.strip-master') : document.querySelector(`.strip[data-source-id="${CSS.escape(sourceId)}"]`);
  strip?.querySelector('button.mute')?.setAttribute('aria-pressed', String(muted));
}

/** Mixer sources by kind and label: their ids change with every visit, their names do not. */
const mutes: HotkeyEntry = (ctx) => {
  const master: HotkeyAction = {
    id: 'mute.master', label: 'Mute or unmute Master', group: 'Audio', defaults: [],
    run: async () => {
      const muted = !(await ctx.studio.getMasterAudio()).muted;
      await ctx.studio.setAudio('master', { muted });
      showMuted(null, muted);
      ctx.announce(`Master ${muted ? 'muted' : 'unmuted'}`);
    },
  };
  const seen = new Set<string>();
  const sources = ctx.audio.filter((a) => { const k = `${a.kind}:${a.label}`; if (seen.has(k)) return false; seen.add(k); return true; });
  return [master, ...sources.map((a): HotkeyAction => ({
    id: `mute.${a.kind}:${a.label}`, label: `Mute or unmute ${a.label}`, group: 'Audio', defaults: [],
    run: async () => {
      const now = (await ctx.studio.listAudioSources()).filter((x) => x.kind === a.kind && x.label === a.label);
      if (!now.length) { ctx.announce(`${a.label} is not in the mixer.`); return; }
      const muted = !now[0]!.muted;
      for (const x of now) { await ctx.studio.setAudio(x.id, { muted }); showMuted(x.id, muted); }
      ctx.announce(`${a.label} ${muted ? 'muted' : 'unmuted'}`);
    },
  }))];
};

/** The last effect each source had before its toggle turned it off, so on brings it back. */
const lastEffect = new Map<string, BackgroundEffect>();

const filters: HotkeyEntry = (ctx) => ctx.studio.scenes.sources
  .filter((s) => s.settings.kind === 'camera' || s.settings.kind === 'display' || s.settings.kind === 'video')
  .map((s): HotkeyAction => ({
    id: `filter.${s.id}`, label: `Background effect on/off: ${s.name}`, group: 'Filters', defaults: [],
    run: async () => {
      const bg = ctx.studio.scenes.sources.find((x) => x.id === s.id)?.background;
      if (!bg) return;
      const on = bg.type === 'none';
      // An image background is stored by blob id; switching back on gives blur instead.
      if (!on && bg.type !== 'image') lastEffect.set(s.id, bg as BackgroundEffect);
      const effect: BackgroundEffect = on ? lastEffect.get(s.id) ?? { type: 'blur', strength: DEFAULT_BLUR_STRENGTH } : { type: 'none' };
      await ctx.studio.setSourceBackground(s.id, effect);
      ctx.announce(`${s.name}: background effect ${on ? 'on' : 'off'}`);
    },
  }));

/** The action table, in the panel's order. */
export const HOTKEY_TABLE: HotkeyEntry[] = [undoRedo, scenes, transition, recording, mutes, filters];

/** The hotkeys of a page: the actions now, their keys, and the stored configuration. */
export interface Hotkeys {
  actions(): HotkeyAction[];
  /** Each listed action's combinations now. */
  bindings(): Map<string, string[]>;
  /** Default combinations of the listed actions. */
  defaults(): Map<string, readonly string[]>;
  readonly config: HotkeyConfig;
  /** Replaces and stores the configuration; listeners of 'change' hear of it. */
  setConfig(c: HotkeyConfig): void;
  /** While true no hotkey fires (the panel is recording a combination). */
  suspended: boolean;
  announce(message: string): void;
  /** 'change': the configuration or the list of actions changed. */
  readonly events: EventTarget;
}

/** Listens for hotkeys on the document; `statusHost` gets the live region that says what a key did. */
export function mountHotkeys(studio: Studio, report: (e: unknown) => void, statusHost: HTMLElement = document.body): Hotkeys {
  const status = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'hotkey-status' });
  statusHost.append(status);
  const events = new EventTarget();
  const loaded = loadHotkeys();
  if (loaded.problem) report(loaded.problem);
  let config = loaded.config;
  const ctx: HotkeyContext = {
    studio, audio: [],
    announce: (m) => {
      // The same message twice in a row is announced again only if the text changes.
      status.textContent = status.textContent === m ? `${m}\u00a0` : m;
    },
  };
  const actions = () => HOTKEY_TABLE.flatMap((entry) => entry(ctx));
  const defaultsOf = (list: HotkeyAction[]) => new Map(list.map((a) => [a.id, a.defaults] as const));

  const api: Hotkeys = {
    actions,
    bindings: () => effectiveBindings(defaultsOf(actions()), config),
    defaults: () => defaultsOf(actions()),
    get config() { return config; },
    setConfig(c) {
      config = c;
      if (!saveHotkeys(c)) report('The hotkeys could not be stored; they last until the page is closed.');
      events.dispatchEvent(new Event('change'));
    },
    suspended: false,
    announce: ctx.announce,
    events,
  };

  document.addEventListener('keydown', (e) => {
    if (api.suspended || e.defaultPrevented || e.isComposing || typingTarget(e.target)) return;
    const combo = comboFromEvent(e);
    if (!combo) return;
    const list = actions();
    const id = actionFor(effectiveBindings(defaultsOf(list), config), combo);
    const action = id ? list.find((a) => a.id === id) : undefined;
    if (!action) return;
    e.preventDefault();
    if (e.repeat && !action.repeat) return;
    Promise.resolve().then(() => action.run()).catch(report);
  });

  const refreshAudio = () => {
    studio.listAudioSources().then((list) => { ctx.audio = list; events.dispatchEvent(new Event('change')); }, () => {});
  };
  studio.addEventListener('audiosources', refreshAudio);
  studio.addEventListener('scenes', (e) => {
    // Sources and scenes named by actions may have changed; undo steps alone change nothing here.
    const cause = (e as CustomEvent<{ cause?: string } | undefined>).detail?.cause;
    if (cause !== 'history' && cause !== 'status') events.dispatchEvent(new Event('change'));
  });
  return api;
}
