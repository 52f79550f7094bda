/**
 * The scene collection's schema: every import, stored copy and API edit passes through here, so
 * a hostile or corrupt file can neither crash the studio nor smuggle odd values into the GPU
 * side. Structure is checked with valibot; what valibot cannot see cheaply (prototype keys, sizes
 * that must fail before any work, references between objects) is checked by hand around it.
 */
import * as v from 'valibot';
import { SceneValidationError } from '../util/errors.ts';
import {
  MAX_TRANSITION_MS, OUTPUT_LIMITS, TRANSITION_DIRECTIONS, TRANSITION_KINDS, type Crop, type ItemTransform, type OutputSettings,
  type SceneCollection, type SourceKind, type SourceSettings, type StoredBackground, type TransitionDirection, type TransitionKind, type TransitionSpec,
} from './types.ts';
import { checkReferences, collectionCaps, preflight, toIssues, type Issue } from './schema-guards.ts';

export type { Issue } from './schema-guards.ts';

/** Caps on an imported collection; they bound the work any input can cause. */
export const SCENE_LIMITS = {
  maxScenes: 200, maxSources: 500, maxItemsPerScene: 1000,
  maxNameLength: 200, maxTextLength: 10_000, maxIdLength: 100,
  /** |x|, |y| of an item box, and its width, height and crop sides, in pixels. */
  maxCoordinate: 100_000,
  maxRotation: 1e6,
  /** UTF-16 code units of a JSON import (20 Mi), checked before JSON.parse. */
  maxJsonChars: 20 * 1024 * 1024,
} as const;

/** The fields of an item an edit may change; `crop` may name only some sides. */
export type ItemPatch = Partial<Omit<ItemTransform, 'crop'>> & { crop?: Partial<Crop> };

type PatchOf<T> = T extends unknown ? Partial<Omit<T, 'kind'>> : never;
/** Some settings of a source, without its kind (which never changes). */
export type SourceSettingsPatch = PatchOf<SourceSettings>;

const L = SCENE_LIMITS;
const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const ID = /^[A-Za-z0-9_.:-]+$/;
const FINITE = 'must be a finite number';

const num = (min: number, max: number) => {
  const range = `must be between ${min} and ${max}`;
  return v.pipe(v.number(FINITE), v.finite(FINITE), v.minValue(min, range), v.maxValue(max, range));
};
const int = (min: number, max: number) => v.pipe(num(min, max), v.integer('must be a whole number'));
const str = (max: number) => v.pipe(v.string('must be a string'), v.maxLength(max, `must be at most ${max} characters`));
const bool = v.boolean('must be true or false');
const idSchema = v.pipe(
  v.string('must be a string'), v.minLength(1, 'must not be empty'),
  v.maxLength(L.maxIdLength, `must be at most ${L.maxIdLength} characters`),
  v.regex(ID, 'may only hold letters, digits and _ . : -'),
);
const hex = v.pipe(v.string('must be a string'), v.regex(HEX, 'must be a CSS hex colour such as #ff8800'));
const hexOrNone = v.pipe(v.string('must be a string'), v.check((s) => s === '' || HEX.test(s), 'must be a CSS hex colour such as #000000, or empty for none'));
const oneOf = <const T extends readonly string[]>(options: T) => v.picklist(options, `must be one of ${options.join(', ')}`);

/** Object message: valibot reports missing and unknown keys through the object schema itself. */
const objectMessage = (issue: v.BaseIssue<unknown>): string => {
  const last = issue.path?.[issue.path.length - 1];
  if (last && last.origin === 'key') return issue.expected === 'never' ? 'is not a known field' : 'is missing';
  return 'must be an object';
};
const obj = <E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, objectMessage);
const arr = <S extends v.GenericSchema>(item: S, max: number, what: string) =>
  v.pipe(v.array(item, 'must be an array'), v.maxLength(max, `must hold at most ${max} ${what}`));

const coord = num(-L.maxCoordinate, L.maxCoordinate);
const size = num(0, L.maxCoordinate);
const cropEntries = { left: size, top: size, right: size, bottom: size };
const transformEntries = {
  x: coord, y: coord, width: size, height: size,
  rotation: num(-L.maxRotation, L.maxRotation),
  crop: obj(cropEntries),
  flipH: v.exactOptional(bool), flipV: v.exactOptional(bool),
  opacity: num(0, 1), visible: bool, locked: bool,
  fit: oneOf(['stretch', 'contain', 'cover'] as const),
};
const itemSchema = obj({ id: idSchema, sourceId: idSchema, ...transformEntries });
const transitionSchema = obj({
  kind: oneOf(TRANSITION_KINDS as readonly TransitionKind[] as [TransitionKind, ...TransitionKind[]]),
  durationMs: num(0, MAX_TRANSITION_MS),
  direction: v.exactOptional(oneOf(TRANSITION_DIRECTIONS as readonly TransitionDirection[] as [TransitionDirection, ...TransitionDirection[]])),
  color: v.exactOptional(hex),
});
const sceneSchema = obj({
  id: idSchema, name: str(L.maxNameLength), items: arr(itemSchema, L.maxItemsPerScene, 'items'),
  transition: v.exactOptional(transitionSchema),
});

const textEntries = {
  text: str(L.maxTextLength), font: str(L.maxNameLength), size: num(1, 2000), bold: bool, italic: bool,
  color: hex, outlineColor: hex, outlineWidth: num(0, 1000), background: hexOrNone, padding: num(0, 10_000),
  align: oneOf(['left', 'center', 'right'] as const), wrapWidth: num(0, L.maxCoordinate),
};
/** Per-kind settings without `kind`, so the patch schemas are built from the same entries. */
const settingsEntries = {
  camera: {
    deviceId: v.exactOptional(str(L.maxNameLength)), width: v.exactOptional(int(1, 16_384)),
    height: v.exactOptional(int(1, 16_384)), frameRate: v.exactOptional(num(1, 240)),
  },
  display: { audio: bool },
  image: { blobId: idSchema, mimeType: str(L.maxIdLength) },
  color: { color: hex },
  text: textEntries,
  // 255: the longest file name common file systems allow.
  video: { blobId: idSchema, fileName: str(255), loop: bool, muted: bool },
} as const;
/** Every source kind, in the order the UI lists them. */
export const SOURCE_KINDS = Object.keys(settingsEntries) as SourceKind[];

const kindMessage = (issue: v.BaseIssue<unknown>): string =>
  issue.path?.length ? `unknown source kind ${JSON.stringify(issue.input)} (expected one of ${SOURCE_KINDS.join(', ')})` : 'must be an object';
const settingsSchema = v.variant('kind', [
  obj({ kind: v.literal('camera'), ...settingsEntries.camera }),
  obj({ kind: v.literal('display'), ...settingsEntries.display }),
  obj({ kind: v.literal('image'), ...settingsEntries.image }),
  obj({ kind: v.literal('color'), ...settingsEntries.color }),
  obj({ kind: v.literal('text'), ...settingsEntries.text }),
  obj({ kind: v.literal('video'), ...settingsEntries.video }),
], kindMessage);

const lightWrap = { lightWrap: v.exactOptional(num(0, 1)) };
const backgroundMessage = (issue: v.BaseIssue<unknown>): string =>
  issue.path?.length ? `unknown background type ${JSON.stringify(issue.input)} (expected one of none, blur, color, image, transparent)` : 'must be an object';
const backgroundSchema = v.variant('type', [
  obj({ type: v.literal('none'), ...lightWrap }),
  obj({ type: v.literal('blur'), strength: v.exactOptional(num(0, 1)), ...lightWrap }),
  obj({ type: v.literal('color'), color: hex, ...lightWrap }),
  obj({ type: v.literal('image'), blobId: idSchema, ...lightWrap }),
  obj({ type: v.literal('transparent'), ...lightWrap }),
], backgroundMessage);

const sourceSchema = obj({ id: idSchema, name: str(L.maxNameLength), settings: settingsSchema, background: backgroundSchema });
const evenSize = (max: number) => v.pipe(int(16, max), v.check((n) => n % 2 === 0, 'must be even'));
const outputSchema = obj({
  width: evenSize(OUTPUT_LIMITS.maxWidth), height: evenSize(OUTPUT_LIMITS.maxHeight),
  frameRate: num(1, OUTPUT_LIMITS.maxFrameRate),
});
const collectionSchema = obj({
  version: v.literal(1, 'must be 1 (the only collection version so far)'),
  output: outputSchema,
  sources: arr(sourceSchema, L.maxSources, 'sources'),
  scenes: v.pipe(arr(sceneSchema, L.maxScenes, 'scenes'), v.minLength(1, 'must hold at least one scene')),
  currentSceneId: idSchema,
  transition: v.exactOptional(transitionSchema),
});

/** Patch schemas: a required field may be left out but not set to undefined; an optional one may be cleared with undefined. */
function patchSchema(entries: v.ObjectEntries) {
  const out: v.ObjectEntries = {};
  for (const [key, schema] of Object.entries(entries)) {
    out[key] = schema.type === 'exact_optional' ? v.optional((schema as v.ExactOptionalSchema<v.GenericSchema, undefined>).wrapped) : v.exactOptional(schema);
  }
  return obj(out);
}
const itemPatchSchema = patchSchema({ ...transformEntries, crop: patchSchema(cropEntries) });
const sourcePatchSchemas = Object.fromEntries(SOURCE_KINDS.map((k) => [k, patchSchema(settingsEntries[k])])) as
  Record<SourceKind, ReturnType<typeof patchSchema>>;

/** Validates a transition (a default or a scene's override); throws SceneValidationError. */
export function parseTransition(input: unknown): TransitionSpec {
  return run(transitionSchema, input, 'The transition is not valid');
}

/** Throws a SceneValidationError naming the first problem; `what` starts the message. */
function fail(what: string, issues: Issue[]): never {
  const first = issues[0]!;
  const where = first.path ? `${first.path}: ` : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new SceneValidationError(`${what}: ${where}${first.message}${more}`, { issues });
}

function run<T>(schema: v.GenericSchema<unknown, T>, input: unknown, what: string, prefix = ''): T {
  const pre = preflight(input, prefix);
  if (pre) fail(what, [pre]);
  const r = v.safeParse(schema, input, { abortPipeEarly: true });
  if (!r.success) fail(what, toIssues(r.issues, prefix));
  return r.output;
}

function outputIssues(o: OutputSettings, prefix: string): Issue[] {
  if (o.width * o.height * o.frameRate <= OUTPUT_LIMITS.maxPixelRate) return [];
  return [{
    path: prefix,
    message: `${o.width}×${o.height} at ${o.frameRate} fps is more than the encoders allow ` +
      `(at most ${OUTPUT_LIMITS.maxPixelRate} pixels a second, such as 3840×2160 at 30 or 1920×1080 at 60)`,
  }];
}

/** Validates anything as a scene collection and returns a fresh copy; throws SceneValidationError. */
export function parseSceneCollection(input: unknown): SceneCollection {
  const what = 'The scene collection is not valid';
  const caps = collectionCaps(input, { scenes: L.maxScenes, sources: L.maxSources, items: L.maxItemsPerScene });
  if (caps) fail(what, [caps]);
  const c: SceneCollection = run(collectionSchema, input, what);
  const issues = [...outputIssues(c.output, 'output'), ...checkReferences(c)];
  if (issues.length) fail(what, issues);
  return c;
}

/** Parses exported JSON text: size-checked before JSON.parse, then validated like any input. */
export function parseSceneCollectionJson(text: string): SceneCollection {
  if (typeof text !== 'string') fail('The scene file is not valid', [{ path: '', message: 'must be text' }]);
  if (text.length > L.maxJsonChars) {
    const mb = (n: number) => (n / (1024 * 1024)).toFixed(0);
    fail('The scene file is too large', [{ path: '', message: `${mb(text.length)} MB of text; at most ${mb(L.maxJsonChars)} MB` }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail('The scene file is not valid JSON', [{ path: '', message: e instanceof Error ? e.message : String(e) }]);
  }
  return parseSceneCollection(data);
}

/** Validates an item edit (API or UI) before the store applies it. */
export function validateItemPatch(patch: unknown): ItemPatch {
  return run(itemPatchSchema, patch, 'The item change is not valid') as ItemPatch;
}

/** Validates a change to the settings of a source of `kind` (without `kind` itself). */
export function validateSourcePatch(kind: SourceKind, patch: unknown): SourceSettingsPatch {
  const schema = sourcePatchSchemas[kind];
  if (!schema) fail('The source change is not valid', [{ path: 'kind', message: `unknown source kind ${JSON.stringify(kind)}` }]);
  return run(schema, patch, `The ${kind} source change is not valid`) as SourceSettingsPatch;
}

/** Validates whole source settings (a new source). */
export function validateSourceSettings(settings: unknown): SourceSettings {
  return run(settingsSchema, settings, 'The source settings are not valid') as SourceSettings;
}

/** Validates a stored background filter. */
export function validateBackground(background: unknown): StoredBackground {
  return run(backgroundSchema, background, 'The background setting is not valid') as StoredBackground;
}

/** Validates program output settings, including the encoders' pixel-rate cap. */
export function validateOutput(output: unknown): OutputSettings {
  const what = 'The output settings are not valid';
  const o: OutputSettings = run(outputSchema, output, what);
  const issues = outputIssues(o, '');
  if (issues.length) fail(what, issues);
  return o;
}

/** Validates a scene or source name; `what` names the field in the message. */
export function validateName(name: unknown, what = 'name'): string {
  return run(str(L.maxNameLength), name, `The ${what} is not valid`);
}

/** Validates a transform-only item (used for new items after defaults are filled in). */
export function validateTransform(t: unknown): ItemTransform {
  return run(obj(transformEntries), t, 'The item placement is not valid') as ItemTransform;
}
