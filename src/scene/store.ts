/**
 * The one scene state that the UI and `window.studio` both change and both observe. Every edit
 * is a SceneCommand applied here; a command that throws (bad id, bad value) changes nothing.
 * States are frozen and replaced, never mutated, so a subscriber can compare parts by identity
 * and keep an old state around (for undo) at no cost.
 */
import { StudioStateError } from '../util/errors.ts';
import { defaultCollection, locateItem, reduce, type SceneCommand, type SceneCommandResult } from './commands.ts';
import type { Scene, SceneCollection, SceneItem, SourceEntry } from './types.ts';

export type { SceneCommand, SceneCommandResult, SceneCommandResults, SourceSize } from './commands.ts';
export { defaultCollection } from './commands.ts';

/** How undo and redo put an earlier state back (not a SceneCommand: nothing is validated or recorded). */
export interface RestoreCommand { type: 'restore'; via: 'undo' | 'redo' }

/** Called after each change, with the new state, what changed it and the state before it. */
export type SceneListener = (state: Readonly<SceneCollection>, cmd: SceneCommand | RestoreCommand, prev: Readonly<SceneCollection>) => void;

/** Freezes what is new in a state; parts shared with the previous state are frozen already. */
function deepFreeze<T>(x: T): T {
  if (typeof x !== 'object' || x === null || Object.isFrozen(x)) return x;
  Object.freeze(x);
  for (const v of Object.values(x)) deepFreeze(v);
  return x;
}

/** The scene collection's single owner: apply commands, read `state`, subscribe to changes. */
export class SceneStore {
  #state: SceneCollection;
  readonly #listeners = new Set<SceneListener>();
  /** Notifications waiting while listeners run, so that a listener's own command is seen in order. */
  readonly #pending: [SceneCollection, SceneCommand | RestoreCommand, SceneCollection][] = [];
  #notifying = false;

  /** Starts from `initial` (validated) or from one empty scene at the default output. */
  constructor(initial?: unknown) {
    this.#state = deepFreeze(initial === undefined ? defaultCollection() : reduce(defaultCollection(), { type: 'load', collection: initial }).state);
  }

  /** The current state (frozen; replaced, never changed, by each command). */
  get state(): Readonly<SceneCollection> {
    return this.#state;
  }

  /** Applies one command; returns the new object's id for the commands that create one. Throws typed errors and then changes nothing. */
  apply<C extends SceneCommand>(cmd: C): SceneCommandResult<C> {
    if (typeof cmd !== 'object' || cmd === null || typeof cmd.type !== 'string') {
      throw new StudioStateError('A scene command must be an object with a string `type`.');
    }
    const { state, result } = reduce(this.#state, cmd);
    if (state !== this.#state) {
      const prev = this.#state;
      this.#state = deepFreeze(state);
      this.#notify(state, cmd, prev);
    }
    return result as SceneCommandResult<C>;
  }

  /** Puts back a state this store held before (undo/redo); it was validated when it was made. */
  restore(state: Readonly<SceneCollection>, via: RestoreCommand['via']): void {
    if (state === this.#state) return;
    const prev = this.#state;
    this.#state = deepFreeze(state as SceneCollection);
    this.#notify(this.#state, { type: 'restore', via }, prev);
  }

  /** Replaces the whole collection after validating it; on a SceneValidationError nothing changes. */
  load(collection: unknown): void {
    this.apply({ type: 'load', collection });
  }

  /** A deep, unfrozen copy for export or saving. */
  snapshot(): SceneCollection {
    return structuredClone(this.#state);
  }

  /** Calls `fn` after every change; returns the function that stops it. */
  subscribe(fn: SceneListener): () => void {
    this.#listeners.add(fn);
    return () => { this.#listeners.delete(fn); };
  }

  /** The scene being shown. */
  get currentScene(): Readonly<Scene> {
    return this.#state.scenes.find((s) => s.id === this.#state.currentSceneId)!;
  }

  /** The source with this id, or undefined. */
  source(id: string): Readonly<SourceEntry> | undefined {
    return this.#state.sources.find((s) => s.id === id);
  }

  /** The scene with this id, or undefined. */
  scene(id: string): Readonly<Scene> | undefined {
    return this.#state.scenes.find((s) => s.id === id);
  }

  /** The item with this id and the scene that holds it, or undefined. */
  item(id: string): { scene: Readonly<Scene>; item: Readonly<SceneItem>; index: number } | undefined {
    const at = locateItem(this.#state, id);
    if (!at) return undefined;
    const scene = this.#state.scenes[at.scene]!;
    return { scene, item: scene.items[at.index]!, index: at.index };
  }

  #notify(state: SceneCollection, cmd: SceneCommand | RestoreCommand, prev: SceneCollection): void {
    this.#pending.push([state, cmd, prev]);
    if (this.#notifying) return;
    this.#notifying = true;
    try {
      for (let next = this.#pending.shift(); next; next = this.#pending.shift()) {
        for (const fn of [...this.#listeners]) {
          try {
            fn(next[0], next[1], next[2]);
          } catch (e) {
            // One failing listener must not starve the others or undo a change already made;
            // report it the way an event listener's error is reported.
            queueMicrotask(() => { throw e; });
          }
        }
      }
    } finally {
      this.#notifying = false;
    }
  }
}
