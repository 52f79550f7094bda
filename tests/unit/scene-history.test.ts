import { describe, expect, it } from 'vitest';
import { SceneStore } from '../../src/scene/store.ts';
import { EditHistory, HISTORY_LIMIT } from '../../src/scene/history.ts';
import { sourceChanges } from '../../src/scene/source-diff.ts';
import { DEFAULT_TEXT, type SceneCollection } from '../../src/scene/types.ts';
import { mulberry32 as rng } from '../helpers/rng.ts';

const json = (c: unknown) => JSON.stringify(c);

/** A store with a camera, a text and an image source shown in the first scene, and its history (started after). */
function setup(limit?: number) {
  const store = new SceneStore();
  const scene = store.state.currentSceneId;
  const cam = store.apply({ type: 'addSource', settings: { kind: 'camera' } });
  const text = store.apply({ type: 'addSource', settings: { kind: 'text', ...DEFAULT_TEXT } });
  const img = store.apply({ type: 'addSource', settings: { kind: 'image', blobId: 'blob-img-1', mimeType: 'image/png' } });
  for (const s of [cam, text, img]) store.apply({ type: 'addItem', sceneId: scene, sourceId: s });
  const history = new EditHistory(store, { limit });
  return { store, history, scene, cam, text, img };
}

type Store = SceneStore;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const allItems = (s: Readonly<SceneCollection>) => s.scenes.flatMap((sc) => sc.items);

/**
 * One random edit of a kind chosen by `r`, valid for the state; returns its kind. Scene switches
 * are made on the side (they are not undo steps) and do not count.
 */
function randomEdit(store: Store, r: () => number, n: number, switches = false): string {
  for (;;) {
    const s = store.state;
    const items = allItems(s);
    const kind = pick(r, ['move', 'resize', 'crop', 'addItem', 'removeItem', 'addSource', 'removeSource', 'renameSource',
      'text', 'reorder', 'filter', 'createScene', 'renameScene', 'duplicateScene', 'removeScene', 'output', 'switch'] as const);
    const item = items.length ? pick(r, items) : null;
    switch (kind) {
      case 'move': if (!item) continue; store.apply({ type: 'updateItem', itemId: item.id, patch: { x: item.x + 1 + n, y: Math.round(r() * 500) } }); break;
      case 'resize': if (!item) continue; store.apply({ type: 'updateItem', itemId: item.id, patch: { width: 100 + n, height: 50 + n, rotation: n } }); break;
      case 'crop': if (!item) continue; store.apply({ type: 'updateItem', itemId: item.id, patch: { crop: { left: n }, opacity: 0.5, visible: n % 2 === 0 } }); break;
      case 'addItem': store.apply({ type: 'addItem', sceneId: pick(r, s.scenes).id, sourceId: pick(r, s.sources).id, transform: { x: n } }); break;
      case 'removeItem': if (!item) continue; store.apply({ type: 'removeItem', itemId: item.id }); break;
      case 'addSource': store.apply(n % 2 ? { type: 'addSource', settings: { kind: 'color', color: '#123456' } } : { type: 'addSource', settings: { kind: 'video', blobId: `blob-v${n}`, fileName: 'v.mp4', loop: true, muted: false } }); break;
      case 'removeSource': if (s.sources.length < 3) continue; store.apply({ type: 'removeSource', sourceId: pick(r, s.sources).id }); break;
      case 'renameSource': store.apply({ type: 'updateSource', sourceId: pick(r, s.sources).id, name: `Source ${n}` }); break;
      case 'text': {
        const t = s.sources.find((x) => x.settings.kind === 'text');
        if (!t) continue;
        store.apply({ type: 'updateSource', sourceId: t.id, settings: { text: `Line ${n}`, bold: n % 2 === 0 } });
        break;
      }
      case 'reorder': {
        const sc = s.scenes.find((x) => x.items.length > 1);
        if (!sc) continue;
        store.apply({ type: 'reorderItem', itemId: sc.items[0]!.id, index: sc.items.length - 1 });
        break;
      }
      case 'filter': {
        const cam = s.sources.find((x) => x.settings.kind === 'camera' || x.settings.kind === 'video');
        if (!cam) continue;
        store.apply({ type: 'setSourceBackground', sourceId: cam.id, background: cam.background.type === 'blur' ? { type: 'color', color: '#00ff00' } : { type: 'blur', strength: 0.1 * (n % 10) } });
        break;
      }
      case 'createScene': store.apply({ type: 'createScene' }); break;
      case 'renameScene': store.apply({ type: 'renameScene', sceneId: pick(r, s.scenes).id, name: `Scene ${n}!` }); break;
      case 'duplicateScene': store.apply({ type: 'duplicateScene', sceneId: pick(r, s.scenes).id }); break;
      case 'removeScene': if (s.scenes.length < 2) continue; store.apply({ type: 'removeScene', sceneId: pick(r, s.scenes).id }); break;
      case 'output': store.apply({ type: 'setOutput', output: { width: 640 + 2 * n, height: 480, frameRate: 30 } }); break;
      case 'switch': {
        if (!switches) continue;
        const other = s.scenes.find((x) => x.id !== s.currentSceneId);
        if (!other) continue;
        store.apply({ type: 'setCurrentScene', sceneId: other.id });
        continue;
      }
    }
    return kind;
  }
}

describe('EditHistory', () => {
  it('keeps at least 100 steps', () => {
    expect(HISTORY_LIMIT).toBeGreaterThanOrEqual(100);
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`undoes 30 mixed edits back to the exact start and redoes them to the exact end (seed ${seed})`, () => {
      const { store, history } = setup();
      const r = rng(seed);
      const start = json(store.state);
      const kinds = new Set<string>();
      for (let n = 0; n < 30; n++) kinds.add(randomEdit(store, r, n));
      expect(kinds.size).toBeGreaterThanOrEqual(8);
      expect(history.size).toEqual({ undo: 30, redo: 0 });
      const edited = json(store.state);
      let undone = 0;
      while (history.canUndo) { history.undo(); undone++; }
      expect(undone).toBe(30);
      expect(json(store.state)).toBe(start);
      let redone = 0;
      while (history.canRedo) { history.redo(); redone++; }
      expect(redone).toBe(30);
      expect(json(store.state)).toBe(edited);
    });
  }

  it('with scene switches between the edits, undo and redo restore everything but the scene on the program', () => {
    const { store, history } = setup();
    const r = rng(7);
    const noScene = (c: Readonly<SceneCollection>) => json({ ...c, currentSceneId: '' });
    const start = noScene(store.state);
    for (let n = 0; n < 30; n++) randomEdit(store, r, n, true);
    const edited = noScene(store.state);
    while (history.canUndo) history.undo();
    expect(noScene(store.state)).toBe(start);
    while (history.canRedo) history.redo();
    expect(noScene(store.state)).toBe(edited);
    expect(store.scene(store.state.currentSceneId)).toBeDefined();
  });

  it('puts back the very same state objects (nothing is copied)', () => {
    const { store, history, cam } = setup();
    const before = store.state;
    store.apply({ type: 'setSourceBackground', sourceId: cam, background: { type: 'blur', strength: 0.5 } });
    const after = store.state;
    history.undo();
    expect(store.state).toBe(before);
    history.redo();
    expect(store.state).toBe(after);
  });

  it('drops the oldest steps past its limit', () => {
    const { store, history, scene } = setup();
    const item = store.state.scenes[0]!.items[0]!.id;
    for (let n = 1; n <= HISTORY_LIMIT + 50; n++) store.apply({ type: 'updateItem', itemId: item, patch: { x: n } });
    expect(history.size.undo).toBe(HISTORY_LIMIT);
    for (let n = 0; n < HISTORY_LIMIT; n++) expect(history.undo()).not.toBeNull();
    expect(history.undo()).toBeNull();
    expect(store.scene(scene)!.items[0]!.x).toBe(50);
    const small = setup(120);
    const it2 = small.store.state.scenes[0]!.items[0]!.id;
    for (let n = 1; n <= 150; n++) small.store.apply({ type: 'updateItem', itemId: it2, patch: { y: n } });
    expect(small.history.size.undo).toBe(120);
  });

  it('makes one step of a group (a drag); groups nest and extra ends are harmless', () => {
    const { store, history } = setup();
    const item = store.state.scenes[0]!.items[0]!;
    const start = store.state;
    history.endGroup(); // unbalanced: ignored
    history.beginGroup('Move Camera');
    for (let x = 1; x <= 20; x++) store.apply({ type: 'updateItem', itemId: item.id, patch: { x } });
    history.beginGroup('inner'); // a nested group folds into the outer one
    store.apply({ type: 'updateItem', itemId: item.id, patch: { y: 7 } });
    history.endGroup();
    expect(history.grouping).toBe(true);
    expect(history.canUndo).toBe(true);
    expect(history.undoLabel).toBe('Move Camera');
    history.endGroup();
    history.endGroup();
    expect(history.size).toEqual({ undo: 1, redo: 0 });
    history.undo();
    expect(store.state).toBe(start);
    history.redo();
    expect(store.item(item.id)!.item).toMatchObject({ x: 20, y: 7 });
  });

  it('records no step for an empty group, one that changed nothing in the end, or only a scene switch', () => {
    const { store, history } = setup();
    const item = store.state.scenes[0]!.items[0]!;
    let heard = 0;
    history.subscribe(() => heard++);
    history.beginGroup('Nothing');
    history.endGroup();
    history.beginGroup('There and back');
    store.apply({ type: 'updateItem', itemId: item.id, patch: { x: 99 } });
    store.apply({ type: 'updateItem', itemId: item.id, patch: { x: item.x } });
    history.endGroup();
    const other = store.apply({ type: 'createScene' });
    history.beginGroup('Switch');
    store.apply({ type: 'setCurrentScene', sceneId: other });
    history.endGroup();
    expect(history.size.undo).toBe(1); // createScene only
    expect(heard).toBe(3); // each group end is news for the buttons
  });

  it('closes an open group before undoing, so the group is what is taken back', () => {
    const { store, history } = setup();
    const item = store.state.scenes[0]!.items[0]!;
    store.apply({ type: 'updateItem', itemId: item.id, patch: { opacity: 0.5 } });
    const mid = store.state;
    history.beginGroup('Drag');
    store.apply({ type: 'updateItem', itemId: item.id, patch: { x: 5 } });
    expect(history.peekUndo()).toBe(mid);
    history.undo();
    expect(store.state).toBe(mid);
    expect(history.grouping).toBe(false);
    history.endGroup(); // the drag's own end comes later: ignored
    history.undo();
    expect(store.item(item.id)!.item.opacity).toBe(1);
  });

  it('does not record scene switches, keeps the program scene on undo/redo, and keeps redo across a switch', () => {
    const { store, history, scene, text } = setup();
    const b = store.apply({ type: 'createScene', name: 'B' });
    const itemB = store.apply({ type: 'addItem', sceneId: b, sourceId: text });
    store.apply({ type: 'setCurrentScene', sceneId: b });
    expect(history.size.undo).toBe(2);
    history.undo(); // the item in B goes; the program stays on B
    expect(store.state.currentSceneId).toBe(b);
    expect(store.item(itemB)).toBeUndefined();
    store.apply({ type: 'setCurrentScene', sceneId: scene });
    expect(history.canRedo).toBe(true);
    history.redo();
    expect(store.item(itemB)).toBeDefined();
    expect(store.state.currentSceneId).toBe(scene);
    store.apply({ type: 'setCurrentScene', sceneId: b });
    history.undo();
    history.undo(); // B itself goes: the program falls back to the scene of that state
    expect(store.scene(b)).toBeUndefined();
    expect(store.state.currentSceneId).toBe(scene);
  });

  it('puts the program scene back when the step changed it (removing the current scene)', () => {
    const { store, history, scene } = setup();
    const b = store.apply({ type: 'createScene' });
    store.apply({ type: 'removeScene', sceneId: scene });
    expect(store.state.currentSceneId).toBe(b);
    history.undo();
    expect(store.state.currentSceneId).toBe(scene);
  });

  it('a new edit clears redo; clear() forgets everything', () => {
    const { store, history, cam } = setup();
    store.apply({ type: 'updateSource', sourceId: cam, name: 'Front' });
    history.undo();
    expect(history.canRedo).toBe(true);
    expect(history.redoLabel).toBe('Rename Camera');
    store.apply({ type: 'updateSource', sourceId: cam, name: 'Side' });
    expect(history.canRedo).toBe(false);
    expect(history.undoLabel).toBe('Rename Camera');
    history.clear();
    expect([history.canUndo, history.canRedo, history.undoLabel]).toEqual([false, false, null]);
  });

  it('labels steps for people', () => {
    const { store, history, text } = setup();
    const item = store.state.scenes[0]!.items[0]!.id;
    const labels: string[] = [];
    const next = () => { labels.push(history.undoLabel!); };
    store.apply({ type: 'updateItem', itemId: item, patch: { x: 3, y: 4 } }); next();
    store.apply({ type: 'updateItem', itemId: item, patch: { width: 30 } }); next();
    store.apply({ type: 'setSourceBackground', sourceId: store.state.sources[0]!.id, background: { type: 'blur' } }); next();
    store.apply({ type: 'removeSource', sourceId: text }); next();
    expect(labels).toEqual(['Move Camera', 'Resize Camera', 'Change filter of Camera', 'Delete Text']);
  });

  it('names the blobs that a state in the history needs, so they are not deleted', () => {
    const { store, history, img } = setup();
    expect([...history.blobIds()]).toEqual([]);
    store.apply({ type: 'removeSource', sourceId: img });
    expect([...history.blobIds()]).toEqual(['blob-img-1']);
    history.clear();
    expect([...history.blobIds()]).toEqual([]);
  });

  it('store.restore notifies with a restore command and the previous state', () => {
    const { store, history, cam } = setup();
    const seen: [string, unknown][] = [];
    const before = store.state;
    store.apply({ type: 'removeSource', sourceId: cam });
    const after = store.state;
    store.subscribe((_, cmd, prev) => seen.push([cmd.type === 'restore' ? `restore:${cmd.via}` : cmd.type, prev]));
    history.undo();
    history.redo();
    expect(seen).toEqual([['restore:undo', after], ['restore:redo', before]]);
  });
});

describe('sourceChanges', () => {
  it('lists sources that went, came, changed file, settings or filter', () => {
    const { store, cam, text, img } = setup();
    const a = store.state;
    store.apply({ type: 'removeSource', sourceId: cam });
    const vid = store.apply({ type: 'addSource', settings: { kind: 'video', blobId: 'b-v', fileName: 'v.mp4', loop: true, muted: false } });
    store.apply({ type: 'updateSource', sourceId: img, settings: { blobId: 'blob-img-2' } as never });
    store.apply({ type: 'updateSource', sourceId: text, settings: { text: 'Hi' } });
    const b = store.state;
    expect(sourceChanges(a, b)).toEqual({ removed: [cam], added: [vid], refiled: [img], settings: [{ id: text, before: a.sources.find((s) => s.id === text)!.settings, after: b.sources.find((s) => s.id === text)!.settings }], backgrounds: [] });
    store.apply({ type: 'setSourceBackground', sourceId: vid, background: { type: 'transparent' } });
    store.apply({ type: 'updateSource', sourceId: vid, name: 'Renamed' }); // a name is no media change
    expect(sourceChanges(b, store.state)).toEqual({ removed: [], added: [], refiled: [], settings: [], backgrounds: [vid] });
    expect(sourceChanges(b, b)).toEqual({ removed: [], added: [], refiled: [], settings: [], backgrounds: [] });
  });
});
