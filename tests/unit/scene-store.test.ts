import { describe, expect, it } from 'vitest';
import { SceneValidationError, StudioStateError } from '../../src/util/errors.ts';
import { SceneStore, type SceneCommand } from '../../src/scene/store.ts';
import { DEFAULT_OUTPUT, DEFAULT_TEXT } from '../../src/scene/types.ts';

/** A store with two sources and a second scene; returns the ids. */
function setup() {
  const store = new SceneStore();
  const scene1 = store.state.currentSceneId;
  const cam = store.apply({ type: 'addSource', settings: { kind: 'camera' } });
  const text = store.apply({ type: 'addSource', settings: { kind: 'text', ...DEFAULT_TEXT } });
  const scene2 = store.apply({ type: 'createScene' });
  const a = store.apply({ type: 'addItem', sceneId: scene1, sourceId: cam });
  const b = store.apply({ type: 'addItem', sceneId: scene1, sourceId: text });
  const c = store.apply({ type: 'addItem', sceneId: scene2, sourceId: cam });
  return { store, scene1, scene2, cam, text, a, b, c };
}

/** Runs `f`, expects `cls`, and checks that the state object did not change. */
function expectRejected(store: SceneStore, f: () => unknown, cls: typeof StudioStateError | typeof SceneValidationError, msg: RegExp) {
  const before = store.state;
  expect(f).toThrow(cls);
  expect(f).toThrow(msg);
  expect(store.state).toBe(before);
}

describe('SceneStore', () => {
  it('starts with one empty scene at the default output', () => {
    const s = new SceneStore().state;
    expect(s.scenes).toHaveLength(1);
    expect(s.scenes[0]).toMatchObject({ name: 'Scene 1', items: [] });
    expect(s.scenes[0]!.id).toMatch(/^scn-[0-9a-f]{12}$/);
    expect(s.currentSceneId).toBe(s.scenes[0]!.id);
    expect(s.sources).toEqual([]);
    expect(s.output).toEqual(DEFAULT_OUTPUT);
    expect(Object.isFrozen(s) && Object.isFrozen(s.scenes[0])).toBe(true);
  });

  it('adds sources with default names and backgrounds, and updates their settings', () => {
    const { store, cam, text } = setup();
    expect(cam).toMatch(/^src-/);
    expect(store.source(cam)).toMatchObject({ name: 'Camera', background: { type: 'none' } });
    expect(store.source(store.apply({ type: 'addSource', settings: { kind: 'camera' } }))!.name).toBe('Camera 2');
    store.apply({ type: 'updateSource', sourceId: cam, settings: { deviceId: 'dev-1', width: 1280 }, name: 'Front' });
    expect(store.source(cam)).toMatchObject({ name: 'Front', settings: { kind: 'camera', deviceId: 'dev-1', width: 1280 } });
    store.apply({ type: 'updateSource', sourceId: cam, settings: { deviceId: undefined } });
    expect(store.source(cam)!.settings).toStrictEqual({ kind: 'camera', width: 1280 });
    store.apply({ type: 'updateSource', sourceId: text, settings: { text: 'Live', bold: true } });
    expect(store.source(text)!.settings).toMatchObject({ kind: 'text', text: 'Live', bold: true, size: DEFAULT_TEXT.size });
    store.apply({ type: 'setSourceBackground', sourceId: cam, background: { type: 'blur', strength: 0.3 } });
    expect(store.source(cam)!.background).toEqual({ type: 'blur', strength: 0.3 });
  });

  it('rejects bad values and unknown ids with typed errors and changes nothing', () => {
    const { store, cam, a, scene1 } = setup();
    expectRejected(store, () => store.apply({ type: 'updateItem', itemId: a, patch: { x: NaN } }), SceneValidationError, /x: must be a finite number/);
    expectRejected(store, () => store.apply({ type: 'updateItem', itemId: 'itm-nope', patch: { x: 1 } }), StudioStateError, /No item has the id "itm-nope"/);
    expectRejected(store, () => store.apply({ type: 'updateSource', sourceId: cam, settings: { text: 'x' } as never }), SceneValidationError, /text: is not a known field/);
    expectRejected(store, () => store.apply({ type: 'updateSource', sourceId: 'src-x', name: 'y' }), StudioStateError, /No source has the id "src-x"/);
    expectRejected(store, () => store.apply({ type: 'addSource', settings: { kind: 'color', color: 'red' } }), SceneValidationError, /color: must be a CSS hex colour/);
    expectRejected(store, () => store.apply({ type: 'addSource', settings: { kind: 'webpage' } as never }), SceneValidationError, /unknown source kind "webpage"/);
    expectRejected(store, () => store.apply({ type: 'setSourceBackground', sourceId: cam, background: { type: 'blur', strength: 3 } }), SceneValidationError, /strength: must be between 0 and 1/);
    expectRejected(store, () => store.apply({ type: 'renameScene', sceneId: scene1, name: 'n'.repeat(201) }), SceneValidationError, /at most 200 characters/);
    expectRejected(store, () => store.apply({ type: 'setCurrentScene', sceneId: 'scn-x' }), StudioStateError, /No scene has the id "scn-x"/);
    expectRejected(store, () => store.apply({ type: 'addItem', sceneId: scene1, sourceId: 'src-x' }), StudioStateError, /No source/);
    expectRejected(store, () => store.apply({ type: 'setOutput', output: { width: 1281, height: 720, frameRate: 30 } }), SceneValidationError, /width: must be even/);
    expectRejected(store, () => store.apply({ type: 'setOutput', output: { width: 3840, height: 2160, frameRate: 60 } }), SceneValidationError, /more than the encoders allow/);
    expectRejected(store, () => store.apply({ type: 'reorderItem', itemId: a, index: NaN }), SceneValidationError, /index must be a number/);
    expectRejected(store, () => store.apply({ type: 'bogus' } as unknown as SceneCommand), StudioStateError, /Unknown scene command "bogus"/);
    expectRejected(store, () => store.apply(null as unknown as SceneCommand), StudioStateError, /must be an object/);
  });

  it('adds items with the default placement, on top, with optional transform and source size', () => {
    const { store, scene1, cam, text, a, b } = setup();
    expect(store.scene(scene1)!.items.map((i) => i.id)).toEqual([a, b]);
    expect(store.item(a)!.item).toStrictEqual({
      id: a, sourceId: cam, x: 0, y: 0, width: 1280, height: 720, rotation: 0,
      crop: { left: 0, top: 0, right: 0, bottom: 0 }, opacity: 1, visible: true, locked: false, fit: 'contain',
    });
    // A 640×480 source contained in 1280×720: 960×720, centred.
    const d = store.apply({ type: 'addItem', sceneId: scene1, sourceId: cam, sourceSize: { width: 640, height: 480 } });
    expect(store.item(d)!.item).toMatchObject({ x: 160, y: 0, width: 960, height: 720 });
    const e = store.apply({ type: 'addItem', sceneId: scene1, sourceId: text, transform: { x: 5, fit: 'stretch', crop: { top: 4 } } });
    expect(store.item(e)!.item).toMatchObject({ x: 5, y: 0, fit: 'stretch', crop: { left: 0, top: 4, right: 0, bottom: 0 } });
    expect(store.item(e)!.index).toBe(3);
  });

  it('updates, reorders (clamped) and removes items in any scene', () => {
    const { store, scene1, scene2, a, b, c } = setup();
    store.apply({ type: 'updateItem', itemId: c, patch: { x: 100, rotation: 45, crop: { right: 10 } } });
    expect(store.item(c)).toMatchObject({ index: 0, item: { x: 100, rotation: 45, crop: { left: 0, right: 10 } } });
    expect(store.item(c)!.scene.id).toBe(scene2);
    const d = store.apply({ type: 'addItem', sceneId: scene1, sourceId: store.state.sources[0]!.id });
    store.apply({ type: 'reorderItem', itemId: d, index: -5 });
    expect(store.scene(scene1)!.items.map((i) => i.id)).toEqual([d, a, b]);
    store.apply({ type: 'reorderItem', itemId: d, index: 99 });
    expect(store.scene(scene1)!.items.map((i) => i.id)).toEqual([a, b, d]);
    store.apply({ type: 'reorderItem', itemId: a, index: 1 });
    expect(store.scene(scene1)!.items.map((i) => i.id)).toEqual([b, a, d]);
    store.apply({ type: 'removeItem', itemId: a });
    expect(store.scene(scene1)!.items.map((i) => i.id)).toEqual([b, d]);
    expect(store.item(a)).toBeUndefined();
  });

  it('shares everything a command does not touch', () => {
    const { store, scene1, scene2, a, b } = setup();
    const before = store.state;
    store.apply({ type: 'updateItem', itemId: a, patch: { y: 7 } });
    const after = store.state;
    expect(after).not.toBe(before);
    expect(after.sources).toBe(before.sources);
    expect(after.output).toBe(before.output);
    expect(store.scene(scene2)).toBe(before.scenes.find((s) => s.id === scene2));
    expect(store.item(b)!.item).toBe(before.scenes[0]!.items[1]);
    expect(store.item(a)!.item.crop).toBe(before.scenes[0]!.items[0]!.crop);
    expect(before.scenes[0]!.items[0]!.y).toBe(0);
    expect(() => { (store.state.scenes[0]!.items[0] as { y: number }).y = 3; }).toThrow(TypeError);
    expect(scene1).toBe(after.scenes[0]!.id);
  });

  it('removing a source removes its items from every scene', () => {
    const { store, scene1, scene2, cam, b } = setup();
    store.apply({ type: 'removeSource', sourceId: cam });
    expect(store.state.sources.map((s) => s.id)).not.toContain(cam);
    expect(store.scene(scene1)!.items.map((i) => i.id)).toEqual([b]);
    expect(store.scene(scene2)!.items).toEqual([]);
  });

  it('creates, renames, duplicates and removes scenes', () => {
    const { store, scene1, scene2, a, b } = setup();
    expect(store.scene(scene2)!.name).toBe('Scene 2');
    store.apply({ type: 'renameScene', sceneId: scene1, name: 'Intro' });
    const dup = store.apply({ type: 'duplicateScene', sceneId: scene1 });
    expect(store.state.scenes.map((s) => s.id)).toEqual([scene1, dup, scene2]);
    const copy = store.scene(dup)!;
    expect(copy.name).toBe('Intro (copy)');
    expect(copy.items.map((i) => i.sourceId)).toEqual(store.scene(scene1)!.items.map((i) => i.sourceId));
    expect(copy.items.map((i) => i.id)).not.toContain(a);
    expect(copy.items.map((i) => i.id)).not.toContain(b);
    expect(copy.items[0]!.id).toMatch(/^itm-/);
    expect({ ...copy.items[0], id: a }).toStrictEqual(store.item(a)!.item);

    store.apply({ type: 'setCurrentScene', sceneId: dup });
    store.apply({ type: 'removeScene', sceneId: dup });
    expect(store.state.currentSceneId).toBe(scene2); // the neighbour that took its place
    store.apply({ type: 'removeScene', sceneId: scene2 });
    expect(store.state.currentSceneId).toBe(scene1); // the last one: its left neighbour
    expectRejected(store, () => store.apply({ type: 'removeScene', sceneId: scene1 }), StudioStateError, /last scene cannot be removed/);
  });

  it('notifies subscribers with the new state and the command, once per change', () => {
    const { store, a } = setup();
    const seen: [unknown, string][] = [];
    const stop = store.subscribe((state, cmd) => seen.push([state, cmd.type]));
    store.apply({ type: 'updateItem', itemId: a, patch: { x: 3 } });
    store.apply({ type: 'updateItem', itemId: a, patch: { x: 3 } }); // no change: no notification
    store.apply({ type: 'setCurrentScene', sceneId: store.state.currentSceneId });
    expect(seen).toEqual([[store.state, 'updateItem']]);
    stop();
    store.apply({ type: 'updateItem', itemId: a, patch: { x: 4 } });
    expect(seen).toHaveLength(1);
  });

  it('delivers a command made inside a listener after the current notification, in order', () => {
    const { store, a } = setup();
    const log: number[] = [];
    store.subscribe((s) => { if (s.scenes[0]!.items[0]!.x === 1) store.apply({ type: 'updateItem', itemId: a, patch: { x: 2 } }); });
    store.subscribe((s) => log.push(s.scenes[0]!.items[0]!.x));
    store.apply({ type: 'updateItem', itemId: a, patch: { x: 1 } });
    expect(log).toEqual([1, 2]);
  });

  it('load validates, replaces the state and notifies; snapshot is a mutable deep copy', () => {
    const { store } = setup();
    const snap = store.snapshot();
    expect(snap).toStrictEqual(store.state);
    expect(Object.isFrozen(snap)).toBe(false);
    snap.scenes[0]!.name = 'Edited';
    expect(store.state.scenes[0]!.name).not.toBe('Edited');
    const other = new SceneStore();
    let cmdType = '';
    other.subscribe((_, cmd) => { cmdType = cmd.type; });
    other.load(snap);
    expect(cmdType).toBe('load');
    expect(other.state).toStrictEqual(snap);
    expect(other.currentScene.id).toBe(snap.currentSceneId);
  });

  it('caps the number of items in a scene', () => {
    const { store, scene2, cam } = setup();
    for (let i = 1; i < 1000; i++) store.apply({ type: 'addItem', sceneId: scene2, sourceId: cam });
    expect(store.scene(scene2)!.items).toHaveLength(1000);
    expectRejected(store, () => store.apply({ type: 'addItem', sceneId: scene2, sourceId: cam }), SceneValidationError, /at most 1000 items/);
  });
});
