/**
 * The scene commands as pure functions: (state, command) → (new state, result). Every edit the
 * UI or the API makes is one of these objects, so validation, persistence and (later) undo see
 * the same small vocabulary. States are never mutated: a command copies only the objects on the
 * path to what it changes, and everything else is shared with the previous state.
 */
import { SceneValidationError, StudioStateError } from '../util/errors.ts';
import { uniqueId } from './ids.ts';
import {
  parseSceneCollection, parseTransition, SCENE_LIMITS, validateBackground, validateItemPatch, validateName, validateOutput,
  validateSourcePatch, validateSourceSettings, type ItemPatch, type SourceSettingsPatch,
} from './schema.ts';
import {
  DEFAULT_OUTPUT, type ItemTransform, type OutputSettings, type Scene, type SceneCollection, type SceneItem,
  type SourceEntry, type SourceKind, type SourceSettings, type StoredBackground, type TransitionSpec,
} from './types.ts';

/** Size of a source in pixels, used to place a new item so that its box hugs the picture. */
export interface SourceSize { width: number; height: number }

/** Every edit of the scene collection. Ids are named for what they point at. */
export type SceneCommand =
  | { type: 'load'; collection: unknown }
  | { type: 'addSource'; settings: SourceSettings; name?: string; background?: StoredBackground }
  | { type: 'updateSource'; sourceId: string; settings?: SourceSettingsPatch; name?: string }
  | { type: 'removeSource'; sourceId: string }
  | { type: 'setSourceBackground'; sourceId: string; background: StoredBackground }
  | { type: 'createScene'; name?: string }
  | { type: 'renameScene'; sceneId: string; name: string }
  | { type: 'duplicateScene'; sceneId: string; name?: string }
  | { type: 'removeScene'; sceneId: string }
  | { type: 'setCurrentScene'; sceneId: string }
  | { type: 'addItem'; sceneId: string; sourceId: string; transform?: ItemPatch; sourceSize?: SourceSize }
  | { type: 'updateItem'; itemId: string; patch: ItemPatch }
  | { type: 'removeItem'; itemId: string }
  | { type: 'reorderItem'; itemId: string; index: number }
  | { type: 'setOutput'; output: OutputSettings }
  | { type: 'setTransition'; transition: TransitionSpec }
  | { type: 'setSceneTransition'; sceneId: string; transition: TransitionSpec | null };

/** What `apply` returns per command type: the new object's id where one is created. */
export interface SceneCommandResults { addSource: string; createScene: string; duplicateScene: string; addItem: string }
export type SceneCommandResult<C extends SceneCommand> = C['type'] extends keyof SceneCommandResults ? SceneCommandResults[C['type']] : void;

/** The collection a new studio starts with: one empty scene at the default output size. */
export function defaultCollection(): SceneCollection {
  const id = uniqueId('scn', () => false);
  return { version: 1, output: { ...DEFAULT_OUTPUT }, sources: [], scenes: [{ id, name: 'Scene 1', items: [] }], currentSceneId: id };
}

const KIND_LABEL: Record<SourceKind, string> = { camera: 'Camera', display: 'Screen', image: 'Image', color: 'Colour', text: 'Text', video: 'Video' };

/** `base`, or `base 2`, `base 3`… whichever is free. */
function freeName(base: string, taken: readonly { name: string }[]): string {
  const names = new Set(taken.map((t) => t.name));
  if (!names.has(base)) return base;
  for (let n = 2; ; n++) if (!names.has(`${base} ${n}`)) return `${base} ${n}`;
}

function sourceIndex(s: SceneCollection, id: string): number {
  const i = s.sources.findIndex((x) => x.id === id);
  if (i < 0) throw new StudioStateError(`No source has the id ${JSON.stringify(id)}.`, { sourceId: id });
  return i;
}

function sceneIndex(s: SceneCollection, id: string): number {
  const i = s.scenes.findIndex((x) => x.id === id);
  if (i < 0) throw new StudioStateError(`No scene has the id ${JSON.stringify(id)}.`, { sceneId: id });
  return i;
}

/** Finds an item (ids are unique across scenes); the current scene is searched first, where most edits happen. */
export function locateItem(s: SceneCollection, itemId: string): { scene: number; index: number } | null {
  const cur = s.scenes.findIndex((x) => x.id === s.currentSceneId);
  const order = cur >= 0 ? [cur, ...s.scenes.keys()] : [...s.scenes.keys()];
  for (const si of order) {
    const index = s.scenes[si]!.items.findIndex((it) => it.id === itemId);
    if (index >= 0) return { scene: si, index };
  }
  return null;
}

function itemAt(s: SceneCollection, itemId: string): { scene: number; index: number } {
  const at = locateItem(s, itemId);
  if (!at) throw new StudioStateError(`No item has the id ${JSON.stringify(itemId)}.`, { itemId });
  return at;
}

function itemIdTaken(s: SceneCollection): (id: string) => boolean {
  return (id) => s.scenes.some((scene) => scene.items.some((it) => it.id === id));
}

function limit(count: number, max: number, path: string, message: string): void {
  if (count >= max) throw new SceneValidationError(message, { issues: [{ path, message }] });
}

const replaceAt = <T>(arr: readonly T[], i: number, value: T): T[] => arr.map((x, j) => (j === i ? value : x));
const withScene = (s: SceneCollection, i: number, scene: Scene): SceneCollection => ({ ...s, scenes: replaceAt(s.scenes, i, scene) });

/** The patch merged into an item; crop sides merge one by one. */
function mergeItem<T extends ItemTransform>(item: T, patch: ItemPatch): T {
  const { crop, ...rest } = patch;
  return { ...item, ...rest, crop: crop ? { ...item.crop, ...crop } : item.crop };
}

function changesItem(item: SceneItem, patch: ItemPatch): boolean {
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'crop') {
      for (const [side, n] of Object.entries(v as object)) if (item.crop[side as keyof SceneItem['crop']] !== n) return true;
    } else if (item[k as keyof ItemPatch] !== v) return true;
  }
  return false;
}

/** A new item's box: the whole canvas, or (given the source's size) the source contained in it and centred. */
function defaultTransform(output: OutputSettings, size: SourceSize | undefined): ItemTransform {
  let box = { x: 0, y: 0, width: output.width, height: output.height };
  if (size) {
    const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= SCENE_LIMITS.maxCoordinate;
    if (!ok(size.width) || !ok(size.height)) {
      const message = `sourceSize must be two positive numbers up to ${SCENE_LIMITS.maxCoordinate}`;
      throw new SceneValidationError(`The new item is not valid: ${message}`, { issues: [{ path: 'sourceSize', message }] });
    }
    const k = Math.min(output.width / size.width, output.height / size.height);
    const width = size.width * k, height = size.height * k;
    box = { x: (output.width - width) / 2, y: (output.height - height) / 2, width, height };
  }
  return { ...box, rotation: 0, crop: { left: 0, top: 0, right: 0, bottom: 0 }, opacity: 1, visible: true, locked: false, fit: 'contain' };
}

/** Applies one command; returns the new state (the same object when nothing changed) and the result. */
export function reduce(s: SceneCollection, cmd: SceneCommand): { state: SceneCollection; result?: string } {
  switch (cmd.type) {
    case 'load':
      return { state: parseSceneCollection(cmd.collection) };

    case 'addSource': {
      limit(s.sources.length, SCENE_LIMITS.maxSources, 'sources', `A collection holds at most ${SCENE_LIMITS.maxSources} sources.`);
      const settings = validateSourceSettings(cmd.settings);
      const name = cmd.name === undefined ? freeName(KIND_LABEL[settings.kind], s.sources) : validateName(cmd.name, 'source name');
      const background = cmd.background === undefined ? { type: 'none' as const } : validateBackground(cmd.background);
      const id = uniqueId('src', (x) => s.sources.some((src) => src.id === x));
      const entry: SourceEntry = { id, name, settings, background };
      return { state: { ...s, sources: [...s.sources, entry] }, result: id };
    }
    case 'updateSource': {
      const i = sourceIndex(s, cmd.sourceId);
      const src = s.sources[i]!;
      let next = src;
      if (cmd.name !== undefined) next = { ...next, name: validateName(cmd.name, 'source name') };
      if (cmd.settings !== undefined) {
        const patch = validateSourcePatch(src.settings.kind, cmd.settings);
        const settings: Record<string, unknown> = { ...src.settings };
        // undefined clears an optional setting (a camera's deviceId); required ones cannot reach here undefined.
        for (const [k, v] of Object.entries(patch)) if (v === undefined) delete settings[k]; else settings[k] = v;
        next = { ...next, settings: settings as SourceSettings };
      }
      return { state: next === src ? s : { ...s, sources: replaceAt(s.sources, i, next) } };
    }
    case 'removeSource': {
      const i = sourceIndex(s, cmd.sourceId);
      const scenes = s.scenes.map((scene) =>
        scene.items.some((it) => it.sourceId === cmd.sourceId) ? { ...scene, items: scene.items.filter((it) => it.sourceId !== cmd.sourceId) } : scene);
      return { state: { ...s, sources: s.sources.filter((_, j) => j !== i), scenes } };
    }
    case 'setSourceBackground': {
      const i = sourceIndex(s, cmd.sourceId);
      const background = validateBackground(cmd.background);
      return { state: { ...s, sources: replaceAt(s.sources, i, { ...s.sources[i]!, background }) } };
    }

    case 'createScene': {
      limit(s.scenes.length, SCENE_LIMITS.maxScenes, 'scenes', `A collection holds at most ${SCENE_LIMITS.maxScenes} scenes.`);
      const name = cmd.name === undefined ? freeName(`Scene ${s.scenes.length + 1}`, s.scenes) : validateName(cmd.name, 'scene name');
      const id = uniqueId('scn', (x) => s.scenes.some((sc) => sc.id === x));
      return { state: { ...s, scenes: [...s.scenes, { id, name, items: [] }] }, result: id };
    }
    case 'renameScene': {
      const i = sceneIndex(s, cmd.sceneId);
      return { state: withScene(s, i, { ...s.scenes[i]!, name: validateName(cmd.name, 'scene name') }) };
    }
    case 'duplicateScene': {
      const i = sceneIndex(s, cmd.sceneId);
      limit(s.scenes.length, SCENE_LIMITS.maxScenes, 'scenes', `A collection holds at most ${SCENE_LIMITS.maxScenes} scenes.`);
      const orig = s.scenes[i]!;
      const suffix = ' (copy)';
      const name = cmd.name === undefined ? orig.name.slice(0, SCENE_LIMITS.maxNameLength - suffix.length) + suffix : validateName(cmd.name, 'scene name');
      const id = uniqueId('scn', (x) => s.scenes.some((sc) => sc.id === x));
      const taken = itemIdTaken(s);
      const fresh = new Set<string>();
      const items = orig.items.map((it) => {
        const itemId = uniqueId('itm', (x) => fresh.has(x) || taken(x));
        fresh.add(itemId);
        return { ...it, id: itemId };
      });
      const scenes = [...s.scenes.slice(0, i + 1), { id, name, items }, ...s.scenes.slice(i + 1)];
      return { state: { ...s, scenes }, result: id };
    }
    case 'removeScene': {
      const i = sceneIndex(s, cmd.sceneId);
      if (s.scenes.length === 1) throw new StudioStateError('The last scene cannot be removed; a collection always has one.', { sceneId: cmd.sceneId });
      const scenes = s.scenes.filter((_, j) => j !== i);
      const currentSceneId = s.currentSceneId === cmd.sceneId ? scenes[Math.min(i, scenes.length - 1)]!.id : s.currentSceneId;
      return { state: { ...s, scenes, currentSceneId } };
    }
    case 'setCurrentScene': {
      sceneIndex(s, cmd.sceneId);
      return { state: s.currentSceneId === cmd.sceneId ? s : { ...s, currentSceneId: cmd.sceneId } };
    }

    case 'addItem': {
      const si = sceneIndex(s, cmd.sceneId);
      sourceIndex(s, cmd.sourceId);
      const scene = s.scenes[si]!;
      limit(scene.items.length, SCENE_LIMITS.maxItemsPerScene, `scenes[${si}].items`, `A scene holds at most ${SCENE_LIMITS.maxItemsPerScene} items.`);
      const patch = cmd.transform === undefined ? {} : validateItemPatch(cmd.transform);
      const transform = mergeItem(defaultTransform(s.output, cmd.sourceSize), patch);
      const id = uniqueId('itm', itemIdTaken(s));
      const item: SceneItem = { id, sourceId: cmd.sourceId, ...transform };
      return { state: withScene(s, si, { ...scene, items: [...scene.items, item] }), result: id };
    }
    case 'updateItem': {
      const at = itemAt(s, cmd.itemId);
      const patch = validateItemPatch(cmd.patch);
      const scene = s.scenes[at.scene]!;
      const item = scene.items[at.index]!;
      if (!changesItem(item, patch)) return { state: s };
      return { state: withScene(s, at.scene, { ...scene, items: replaceAt(scene.items, at.index, mergeItem(item, patch)) }) };
    }
    case 'removeItem': {
      const at = itemAt(s, cmd.itemId);
      const scene = s.scenes[at.scene]!;
      return { state: withScene(s, at.scene, { ...scene, items: scene.items.filter((_, j) => j !== at.index) }) };
    }
    case 'reorderItem': {
      const at = itemAt(s, cmd.itemId);
      if (typeof cmd.index !== 'number' || Number.isNaN(cmd.index)) {
        const message = 'index must be a number';
        throw new SceneValidationError(`The item order is not valid: ${message}`, { issues: [{ path: 'index', message }] });
      }
      const scene = s.scenes[at.scene]!;
      const to = Math.max(0, Math.min(scene.items.length - 1, Math.trunc(cmd.index)));
      if (to === at.index) return { state: s };
      const items = scene.items.filter((_, j) => j !== at.index);
      items.splice(to, 0, scene.items[at.index]!);
      return { state: withScene(s, at.scene, { ...scene, items }) };
    }
    case 'setOutput':
      return { state: { ...s, output: validateOutput(cmd.output) } };
    case 'setTransition':
      return { state: { ...s, transition: parseTransition(cmd.transition) } };
    case 'setSceneTransition': {
      const si = sceneIndex(s, cmd.sceneId);
      const { transition: _old, ...scene } = s.scenes[si]!;
      return { state: withScene(s, si, cmd.transition === null ? scene : { ...scene, transition: parseTransition(cmd.transition) }) };
    }
    default: {
      const unknown: never = cmd;
      throw new StudioStateError(`Unknown scene command ${JSON.stringify((unknown as { type?: unknown }).type)}.`);
    }
  }
}
