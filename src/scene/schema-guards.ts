/**
 * The checks around the valibot schema: a cheap walk before it (sizes, prototype keys, depth,
 * plain objects) so hostile input fails before any per-element work, the mapping of valibot's
 * issues to readable paths, and the cross-references valibot cannot express.
 */
import type * as v from 'valibot';
import type { SceneCollection } from './types.ts';

/** One problem: where (`scenes[0].items[3].x`, '' for the whole value) and what, for a person. */
export interface Issue { path: string; message: string }

/** Keys that could reach an object's prototype if some later code copied them naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deepest legitimate nesting is 5 containers (root → scenes → scene → items → item → crop). */
const MAX_DEPTH = 8;
/** No array in a valid collection is longer than this (items per scene). */
const MAX_ARRAY = 1000;
/** Values visited by the walk; a full-size collection (200 × 1000 items) needs about 3.7 M. */
const MAX_VALUES = 5_000_000;
/** Issues kept in `details.issues`; the count in the message stays exact up to here. */
const MAX_ISSUES = 100;

type Seg = string | number;

/** `scenes[0].items[3].x`; odd keys are quoted so that a key like `a.b` stays readable. */
export function formatPath(segs: readonly Seg[], prefix = ''): string {
  let out = prefix;
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

const own = (o: object, key: string): unknown => (Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined);

/**
 * The collection's size caps, read before anything is walked so that a 10^6-item import
 * fails in constant time with a message that names the array.
 */
export function collectionCaps(input: unknown, caps: { scenes: number; sources: number; items: number }): Issue | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const sources = own(input, 'sources');
  if (Array.isArray(sources) && sources.length > caps.sources) {
    return { path: 'sources', message: `holds ${sources.length} sources; at most ${caps.sources} are allowed` };
  }
  const scenes = own(input, 'scenes');
  if (!Array.isArray(scenes)) return null;
  if (scenes.length > caps.scenes) return { path: 'scenes', message: `holds ${scenes.length} scenes; at most ${caps.scenes} are allowed` };
  for (let i = 0; i < scenes.length; i++) {
    const scene: unknown = scenes[i];
    const items = typeof scene === 'object' && scene !== null ? own(scene, 'items') : undefined;
    if (Array.isArray(items) && items.length > caps.items) {
      return { path: `scenes[${i}].items`, message: `holds ${items.length} items; at most ${caps.items} are allowed in one scene` };
    }
  }
  return null;
}

/**
 * Walks own keys before valibot sees the value: rejects prototype keys (JSON.parse makes
 * `__proto__` an own key), class instances, deep nesting, long arrays and sheer size.
 * Returns the first problem or null.
 */
export function preflight(input: unknown, prefix = ''): Issue | null {
  const segs: Seg[] = [];
  let visited = 0;
  const at = (message: string): Issue => ({ path: formatPath(segs, prefix), message });
  const walk = (x: unknown, depth: number): Issue | null => {
    if (++visited > MAX_VALUES) return at('the collection is too large to check');
    if (typeof x !== 'object' || x === null) return null;
    if (depth > MAX_DEPTH) return at('is nested too deeply');
    if (Array.isArray(x)) {
      if (x.length > MAX_ARRAY) return at(`holds ${x.length} entries; at most ${MAX_ARRAY} are allowed`);
      for (let i = 0; i < x.length; i++) {
        segs.push(i);
        const bad = walk(x[i], depth + 1);
        if (bad) return bad;
        segs.pop();
      }
      return null;
    }
    if (!isPlainObject(x)) return at('must be a plain object');
    for (const key of Object.keys(x)) {
      segs.push(key);
      if (FORBIDDEN_KEYS.has(key)) return at('is a forbidden key');
      const bad = walk((x as Record<string, unknown>)[key], depth + 1);
      if (bad) return bad;
      segs.pop();
    }
    return null;
  };
  return walk(input, 0);
}

/** valibot's issues as readable `{ path, message }`, at most MAX_ISSUES of them. */
export function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): Issue[] {
  return issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: formatPath((issue.path ?? []).map((p) => (typeof p.key === 'number' ? p.key : String(p.key))), prefix),
    message: issue.message,
  }));
}

/** Cross-references: unique ids, items naming existing sources, a current scene that exists. */
export function checkReferences(c: SceneCollection): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string) => { if (issues.length < MAX_ISSUES) issues.push({ path, message }); };
  const sourceAt = new Map<string, number>();
  c.sources.forEach((s, i) => {
    const prev = sourceAt.get(s.id);
    if (prev !== undefined) add(`sources[${i}].id`, `${JSON.stringify(s.id)} is also the id of sources[${prev}]`);
    else sourceAt.set(s.id, i);
  });
  const sceneAt = new Map<string, number>();
  const itemAt = new Map<string, string>();
  c.scenes.forEach((scene, i) => {
    const prev = sceneAt.get(scene.id);
    if (prev !== undefined) add(`scenes[${i}].id`, `${JSON.stringify(scene.id)} is also the id of scenes[${prev}]`);
    else sceneAt.set(scene.id, i);
    scene.items.forEach((item, j) => {
      const here = `scenes[${i}].items[${j}]`;
      const prevItem = itemAt.get(item.id);
      if (prevItem !== undefined) add(`${here}.id`, `${JSON.stringify(item.id)} is also the id of ${prevItem}`);
      else itemAt.set(item.id, here);
      if (!sourceAt.has(item.sourceId)) add(`${here}.sourceId`, `no source has the id ${JSON.stringify(item.sourceId)}`);
    });
  });
  if (!sceneAt.has(c.currentSceneId)) add('currentSceneId', `no scene has the id ${JSON.stringify(c.currentSceneId)}`);
  return issues;
}
