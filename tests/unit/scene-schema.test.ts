import { describe, expect, it } from 'vitest';
import { errorClasses, SceneValidationError, StudioError } from '../../src/util/errors.ts';
import {
  parseSceneCollection, parseSceneCollectionJson, SOURCE_KINDS, validateItemPatch, validateOutput, validateSourcePatch,
} from '../../src/scene/schema.ts';
import { SceneStore } from '../../src/scene/store.ts';
import { DEFAULT_TEXT, type SceneCollection, type SceneItem } from '../../src/scene/types.ts';

const item = (id: string, sourceId: string, over: Partial<SceneItem> = {}): SceneItem => ({
  id, sourceId, x: 10, y: 20, width: 640, height: 360, rotation: 15, crop: { left: 1, top: 2, right: 3, bottom: 4 },
  opacity: 0.5, visible: true, locked: false, fit: 'contain', ...over,
});

/** One source of every kind, two scenes, optional fields both present and absent. */
function fullCollection(): SceneCollection {
  return {
    version: 1,
    output: { width: 1920, height: 1080, frameRate: 60 },
    sources: [
      { id: 'src-cam', name: 'Camera', settings: { kind: 'camera', deviceId: 'abc123', width: 1280, height: 720, frameRate: 30 },
        background: { type: 'blur', strength: 0.7, lightWrap: 0.2 } },
      { id: 'src-cam2', name: 'Camera 2', settings: { kind: 'camera' }, background: { type: 'none' } },
      { id: 'src-disp', name: 'Screen', settings: { kind: 'display', audio: true }, background: { type: 'transparent' } },
      { id: 'src-img', name: 'Logo', settings: { kind: 'image', blobId: 'blob-1', mimeType: 'image/png' }, background: { type: 'color', color: '#00ff00' } },
      { id: 'src-col', name: 'Backdrop', settings: { kind: 'color', color: '#123456cc' }, background: { type: 'none' } },
      { id: 'src-txt', name: 'Title', settings: { kind: 'text', ...DEFAULT_TEXT, text: 'Hello\nworld ✓', align: 'center', background: '#000a' },
        background: { type: 'none' } },
      { id: 'src-vid', name: 'Clip', settings: { kind: 'video', blobId: 'blob-2', fileName: 'clip (1).mp4', loop: true, muted: false },
        background: { type: 'image', blobId: 'blob-3', lightWrap: 0 } },
    ],
    scenes: [
      { id: 'scn-a', name: 'Main', items: [item('itm-1', 'src-col', { fit: 'stretch' }), item('itm-2', 'src-cam', { rotation: -30.5 }), item('itm-3', 'src-txt', { visible: false })] },
      { id: 'scn-b', name: 'Other', items: [item('itm-4', 'src-vid', { fit: 'cover', locked: true }), item('itm-5', 'src-img'), item('itm-6', 'src-disp')] },
    ],
    currentSceneId: 'scn-b',
  };
}

function expectInvalid(f: () => unknown, pathAndMessage: string | RegExp): SceneValidationError {
  let caught: unknown;
  try { f(); } catch (e) { caught = e; }
  expect(caught).toBeInstanceOf(SceneValidationError);
  const e = caught as SceneValidationError;
  expect(e).toBeInstanceOf(StudioError);
  expect(e.message).toMatch(pathAndMessage);
  expect(e.issues.length).toBeGreaterThan(0);
  return e;
}

/** An import as the UI would do it: JSON text is parsed first, objects (API) go straight to the store. */
const importInto = (store: SceneStore, input: unknown) => store.load(typeof input === 'string' ? parseSceneCollectionJson(input) : input);

describe('scene schema: round trip', () => {
  it('a collection with all six source kinds survives JSON → parse deep-equal', () => {
    const c = fullCollection();
    expect(new Set(c.sources.map((s) => s.settings.kind))).toEqual(new Set(SOURCE_KINDS));
    const back = parseSceneCollectionJson(JSON.stringify(c));
    expect(back).toStrictEqual(c);
    expect(back).not.toBe(c);
    const store = new SceneStore();
    store.load(back);
    expect(JSON.parse(JSON.stringify(store.snapshot()))).toStrictEqual(c);
  });
});

describe('scene schema: ten hostile imports leave the store untouched', () => {
  const huge = 'x'.repeat(100 * 1024 * 1024);
  const cases: [string, () => unknown, string | RegExp][] = [
    ['wrong types', () => { const c: any = fullCollection(); c.scenes[0].name = 42; c.output.width = '1920'; return c; }, /output\.width: must be a finite number \(and 1 more problem\)/],
    ['NaN', () => { const c: any = fullCollection(); c.scenes[0].items[1].x = NaN; return c; }, 'scenes[0].items[1].x: must be a finite number'],
    ['huge transform', () => { const c: any = fullCollection(); c.scenes[1].items[0].width = 1e12; return c; }, 'scenes[1].items[0].width: must be between 0 and 100000'],
    ['10^6 items', () => { const c: any = fullCollection(); c.scenes[0].items = new Array(1e6).fill(c.scenes[0].items[0]); return c; }, /scenes\[0\]\.items: holds 1000000 items; at most 1000/],
    ['unknown kind', () => { const c: any = fullCollection(); c.sources[2].settings.kind = 'webpage'; return c; }, 'sources[2].settings.kind: unknown source kind "webpage"'],
    ['__proto__ key', () => JSON.stringify(fullCollection()).replace('"opacity":0.5', '"__proto__":{"polluted":true},"opacity":0.5'), 'scenes[0].items[0].__proto__: is a forbidden key'],
    ['100 MB string', () => huge, /too large: 100 MB of text; at most 20 MB/],
    ['unknown key', () => { const c: any = fullCollection(); c.scenes[1].items[2].script = 'alert(1)'; return c; }, 'scenes[1].items[2].script: is not a known field'],
    ['dangling sourceId', () => { const c: any = fullCollection(); c.scenes[1].items[1].sourceId = 'src-gone'; return c; }, 'scenes[1].items[1].sourceId: no source has the id "src-gone"'],
    ['duplicate ids', () => { const c: any = fullCollection(); c.sources[4].id = 'src-cam'; return c; }, 'sources[4].id: "src-cam" is also the id of sources[0]'],
  ];
  for (const [name, make, expected] of cases) {
    it(name, () => {
      const store = new SceneStore(fullCollection());
      const before = store.state;
      const copy = store.snapshot();
      let notified = 0;
      store.subscribe(() => notified++);
      const e = expectInvalid(() => importInto(store, make()), expected);
      if (name === 'wrong types') expect(e.issues).toContainEqual({ path: 'scenes[0].name', message: 'must be a string' });
      expect(store.state).toBe(before);
      expect(store.state).toStrictEqual(copy);
      expect(notified).toBe(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('a 10^6-item array is rejected from its length alone, without reading its elements', () => {
    const c: any = fullCollection();
    let reads = 0;
    c.scenes[0].items = new Proxy(new Array(1e6).fill(c.scenes[0].items[0]), {
      get(target, key, recv) { if (typeof key === 'string' && /^\d+$/.test(key)) reads++; return Reflect.get(target, key, recv); },
    });
    expectInvalid(() => parseSceneCollection(c), 'scenes[0].items: holds 1000000 items');
    expect(reads).toBe(0);
  });

  it('a 100 MB string inside an object is rejected by its length', () => {
    const c: any = fullCollection();
    c.sources[5].settings.text = huge;
    expectInvalid(() => parseSceneCollection(c), 'sources[5].settings.text: must be at most 10000 characters');
  });
});

describe('scene schema: other rules', () => {
  const bad = (mutate: (c: any) => void, expected: string | RegExp) => {
    const c: any = fullCollection();
    mutate(c);
    return expectInvalid(() => parseSceneCollection(c), expected);
  };

  it('names every class of problem by path', () => {
    bad((c) => { c.scenes[0].items[0].x = Infinity; }, 'scenes[0].items[0].x: must be a finite number');
    bad((c) => { c.scenes[0].items[0].opacity = 1.5; }, 'scenes[0].items[0].opacity: must be between 0 and 1');
    bad((c) => { c.scenes[0].items[0].rotation = 2e6; }, 'rotation: must be between -1000000 and 1000000');
    bad((c) => { c.scenes[0].items[0].crop.left = -1; }, 'crop.left: must be between 0 and 100000');
    bad((c) => { c.scenes[0].items[0].y = -100001; }, 'items[0].y: must be between -100000 and 100000');
    bad((c) => { c.scenes[0].items[0].fit = 'fill'; }, 'fit: must be one of stretch, contain, cover');
    bad((c) => { c.sources[4].settings.color = 'red'; }, 'sources[4].settings.color: must be a CSS hex colour');
    bad((c) => { c.sources[0].background.color = 'x'; c.sources[0].background.type = 'color'; }, 'sources[0].background.color: must be a CSS hex colour');
    bad((c) => { c.sources[0].name = 'n'.repeat(201); }, 'sources[0].name: must be at most 200 characters');
    bad((c) => { c.sources[0].id = 'i'.repeat(101); }, 'sources[0].id: must be at most 100 characters');
    bad((c) => { c.currentSceneId = 'scn-zzz'; }, 'currentSceneId: no scene has the id "scn-zzz"');
    bad((c) => { c.scenes[1].items[0].id = 'itm-1'; }, 'scenes[1].items[0].id: "itm-1" is also the id of scenes[0].items[0]');
    bad((c) => { c.scenes = []; }, 'scenes: must hold at least one scene');
    bad((c) => { c.version = 2; }, 'version: must be 1');
    bad((c) => { delete c.scenes[0].name; }, 'scenes[0].name: is missing');
    bad((c) => { c.sources = new Array(501).fill(c.sources[0]); }, 'sources: holds 501 sources; at most 500');
    bad((c) => { c.scenes = new Array(201).fill(c.scenes[0]); }, 'scenes: holds 201 scenes; at most 200');
    bad((c) => { c.scenes[0].constructor = 1; }, 'scenes[0].constructor: is a forbidden key');
    bad((c) => { c.output = new Map(); }, 'output: must be a plain object');
    expectInvalid(() => parseSceneCollection(null), /not valid: must be an object/);
    expectInvalid(() => parseSceneCollectionJson('{"version":'), /not valid JSON/);
  });

  it('output limits: even sizes of at least 16, 1..60 fps, the pixel-rate cap', () => {
    bad((c) => { c.output.width = 1279; }, 'output.width: must be even');
    bad((c) => { c.output.height = 8; }, 'output.height: must be between 16 and 2160');
    bad((c) => { c.output.width = 4096; }, 'output.width: must be between 16 and 3840');
    bad((c) => { c.output.frameRate = 0; }, 'output.frameRate: must be between 1 and 60');
    bad((c) => { c.output.frameRate = 61; }, 'output.frameRate: must be between 1 and 60');
    bad((c) => { c.output = { width: 3840, height: 2160, frameRate: 60 }; }, /output: 3840×2160 at 60 fps is more than the encoders allow/);
    expect(validateOutput({ width: 3840, height: 2160, frameRate: 30 })).toEqual({ width: 3840, height: 2160, frameRate: 30 });
    expect(validateOutput({ width: 1920, height: 1080, frameRate: 60 })).toEqual({ width: 1920, height: 1080, frameRate: 60 });
    expectInvalid(() => validateOutput({ width: 1920, height: 1080 }), 'frameRate: is missing');
  });

  it('details.issues lists every problem and the error rebuilds by name', () => {
    const e = bad((c) => { c.scenes[0].items[0].x = NaN; c.scenes[0].items[1].y = 'a'; }, /\(and 1 more problem\)/);
    expect(e.details.issues).toEqual([
      { path: 'scenes[0].items[0].x', message: 'must be a finite number' },
      { path: 'scenes[0].items[1].y', message: 'must be a finite number' },
    ]);
    expect(errorClasses.SceneValidationError).toBe(SceneValidationError);
  });

  it('validates partial edits', () => {
    expect(validateItemPatch({ x: 5, crop: { left: 3 } })).toEqual({ x: 5, crop: { left: 3 } });
    expectInvalid(() => validateItemPatch({ x: undefined }), 'x: must be a finite number');
    expectInvalid(() => validateItemPatch({ width: -1 }), 'width: must be between 0 and 100000');
    expectInvalid(() => validateItemPatch({ id: 'itm-9' }), 'id: is not a known field');
    expect(validateSourcePatch('text', { text: 'Hi', size: 64 })).toEqual({ text: 'Hi', size: 64 });
    expectInvalid(() => validateSourcePatch('text', { text: 7 }), 'text: must be a string');
    expectInvalid(() => validateSourcePatch('text', { kind: 'color' }), 'kind: is not a known field');
    expectInvalid(() => validateSourcePatch('color', { color: 'blue' }), 'color: must be a CSS hex colour');
    expect(Object.hasOwn(validateSourcePatch('camera', { deviceId: undefined }), 'deviceId')).toBe(true);
  });
});
