import { recordingsDir, storageError } from './opfs-sink.ts';
import { isRegularFastStart, topLevelBoxes } from './mp4-boxes.ts';
import { readMeta, writeMeta } from './recording-meta.ts';
import { FinalizeError, StudioStateError } from '../util/errors.ts';
import type { Chapter } from '../util/types.ts';
import type { PositionedWrite } from './remux.ts';

/**
 * A recording is written as "<stem>.recording<suffix>.<ext>" and only gets its final name
 * "<stem><suffix>.<ext>" once it is finished. A file with the marker that no running recording
 * holds (see holdRecordingLock) was interrupted: the next start finishes it (recovery).
 */
const UNFINISHED = /^(.*)\.recording(.*)\.(mp4|webm)$/i;
const LOCK_PREFIX = 'backdrop-recording:';
/** The regular MP4 is written under this suffix and renamed only when it is whole. */
export const PART_SUFFIX = '.part';

/** The file name (without extension; the encoder adds it) that a new recording is written under. */
export function unfinishedName(stem: string): string { return `${stem}.recording`; }

/** Loads the remux code (and mediabunny) ahead, so that stopping a recording does not wait for it. */
export function preloadRemux(): void { void import('./remux.ts').catch(() => {}); }

/** Whether `name` is a recording that is still being written or was interrupted. */
export function isUnfinished(name: string): boolean { return UNFINISHED.test(name); }

/** The name an unfinished recording file gets when it is finished (other names stay as they are). */
export function finalName(name: string): string {
  const m = UNFINISHED.exec(name);
  return m ? `${m[1]}${m[2]}.${m[3]}` : name;
}

/** The part of an unfinished file's name that its recording's lock is named after. */
export function stemOf(name: string): string { return UNFINISHED.exec(name)?.[1] ?? name; }

/**
 * Marks the recording `stem` as running, for as long as this page lives or until the returned
 * function is called. Locks die with the page, so after a crash the files count as interrupted.
 */
export function holdRecordingLock(stem: string): Promise<() => void>;
/** With `ifAvailable`, resolves null at once when another holder has it. */
export function holdRecordingLock(stem: string, opts: { ifAvailable: true }): Promise<(() => void) | null>;
export async function holdRecordingLock(stem: string, opts: { ifAvailable?: boolean } = {}): Promise<(() => void) | null> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return () => {};
  return new Promise((resolve, reject) => {
    locks.request(LOCK_PREFIX + stem, { ifAvailable: opts.ifAvailable === true }, (lock) => {
      if (!lock) { resolve(null); return; }
      return new Promise<void>((release) => resolve(release));
    }).catch(reject);
  });
}

/** The stems of recordings running in any page of this origin. */
export async function runningStems(): Promise<string[]> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return [];
  const q = await locks.query();
  return [...(q.held ?? []), ...(q.pending ?? [])].map((l) => l.name ?? '').filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length));
}

export interface FinalizeResult {
  /** The finished recording, under its final name. */
  file: File;
  durationMs: number;
  recovered: boolean;
  /** The fragmented file was kept because the regular copy could not be made (see warning). */
  fragmented: boolean;
  /** Chapters written into the file. */
  chapters: Chapter[];
  /** Time spent copying into the regular MP4 (0 when nothing was copied). */
  remuxMs: number;
  /** The recording had lost its last fragment to a crash; what came before is kept. */
  truncated: boolean;
  /** Why the file was kept as it was; nothing was lost. */
  warning: FinalizeError | null;
}

type Dir = FileSystemDirectoryHandle;
const fileOf = (dir: Dir, name: string) => dir.getFileHandle(name).then((h) => h.getFile(), () => null);
const moveTo = (dir: Dir, from: string, to: string) => dir.getFileHandle(from).then((h) => (h as FileSystemFileHandle & { move(name: string): Promise<void> }).move(to));

/**
 * Finishes a recording file: a fragmented MP4 is copied into a regular MP4 (index in front,
 * packets unchanged, `chapters` written in), which then takes the recording's final name and the
 * fragmented file is removed; a WebM just takes its final name. Every step leaves at least one
 * whole copy on disk, and calling this again after a crash at any step completes the job. If the
 * copy fails (a full disk), the fragmented file is kept under the final name and `warning` says so.
 */
export async function finalizeRecording(fileName: string, chapters: readonly Chapter[] = [], opts: { recovered?: boolean } = {}): Promise<FinalizeResult> {
  const dir = await recordingsDir();
  let name = finalName(fileName);
  const recovered = opts.recovered === true;
  const base = { recovered, fragmented: false, chapters: [] as Chapter[], remuxMs: 0, truncated: false, warning: null };
  const src = await fileOf(dir, fileName);
  if (!src || name === fileName) {
    // Already finished (a second call, or a name without the marker): report what is there.
    const done = await fileOf(dir, name);
    if (!done) throw new StudioStateError(`There is no recording named "${fileName}".`);
    const meta = await readMeta(name);
    return { ...base, file: done, durationMs: meta?.durationMs ?? await mediaDurationMs(done), recovered: meta?.recovered ?? recovered, chapters: meta?.chapters ?? [] };
  }
  const existing = await fileOf(dir, name);
  if (!/\.mp4$/i.test(name)) {
    if (existing) name = await freeName(dir, name);
    await moveTo(dir, fileName, name);
    const file = (await fileOf(dir, name))!;
    return record(name, { ...base, file, durationMs: await mediaDurationMs(file) });
  }
  if (existing && existing.lastModified >= src.lastModified && isRegularFastStart(await topLevelBoxes(existing))) {
    // A crash came after the regular copy of this file took the name: only the fragmented file is left to remove.
    await dir.removeEntry(fileName);
    const meta = await readMeta(name);
    return record(name, { ...base, file: existing, durationMs: await mediaDurationMs(existing), chapters: meta?.chapters ?? [...chapters] });
  }
  // Another recording already has the name (older than this one): it is kept, and this one takes a free name.
  if (existing) name = await freeName(dir, name);
  const part = name + PART_SUFFIX;
  await dir.removeEntry(part).catch(() => {});
  try {
    // mediabunny is loaded only when a recording is finished, not with the page.
    const { remuxToRegularMp4 } = await import('./remux.ts');
    const t0 = performance.now();
    const handle = await dir.getFileHandle(part, { create: true });
    const w = await handle.createWritable();
    let r;
    try {
      // mediabunny closes the stream it writes to; the file is committed only after a whole copy.
      r = await remuxToRegularMp4(src, new WritableStream<PositionedWrite>({ write: (c) => w.write(c as { type: 'write'; data: Uint8Array<ArrayBuffer>; position: number }) }), chapters);
      await w.close();
    } catch (e) {
      await w.abort().catch(() => {});
      throw e;
    }
    const remuxMs = performance.now() - t0;
    await (handle as FileSystemFileHandle & { move(name: string): Promise<void> }).move(name);
    await dir.removeEntry(fileName);
    const file = (await fileOf(dir, name))!;
    return record(name, { ...base, file, durationMs: r.durationMs, chapters: r.chapters, remuxMs, truncated: r.truncated });
  } catch (e) {
    await dir.removeEntry(part).catch(() => {});
    await moveTo(dir, fileName, name);
    const file = (await fileOf(dir, name))!;
    const why = storageError(e).details.quota ? 'the disk is full' : e instanceof Error ? e.message : String(e);
    const warning = new FinalizeError(`"${name}" was saved as a fragmented MP4, which most players and editors open, but some do not: ` +
      `making the regular copy failed (${why}). Nothing was lost.`, { name, cause: why });
    // The chapters are not in a fragmented file; the list still shows them.
    return record(name, { ...base, file, durationMs: await mediaDurationMs(file), fragmented: true, chapters: [...chapters], warning });
  }
}

/** "<base> (n).<ext>": the first such name with neither a file nor a half-written copy in `dir`. */
async function freeName(dir: Dir, name: string): Promise<string> {
  const dot = name.lastIndexOf('.');
  for (let n = 2; ; n++) {
    const candidate = `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
    if (!(await fileOf(dir, candidate)) && !(await fileOf(dir, candidate + PART_SUFFIX))) return candidate;
  }
}

/**
 * `stem`, or "<stem> (n)" when files of an earlier recording already start with it or a
 * recording of that name is running (two started within the same second), so that no two
 * recordings share a name.
 */
export async function freshStem(stem: string): Promise<string> {
  const names: string[] = [];
  for await (const n of (await recordingsDir() as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(n);
  const running = await runningStems();
  const taken = (s: string) => running.includes(s) || names.some((n) => n.startsWith(`${s}.`) || n.startsWith(`${s} (`));
  let candidate = stem;
  for (let n = 2; taken(candidate); n++) candidate = `${stem} (${n})`;
  return candidate;
}

/** Stores the list facts of a finished recording and returns the result as is. */
async function record(name: string, r: FinalizeResult): Promise<FinalizeResult> {
  await writeMeta(name, { durationMs: r.durationMs, recovered: r.recovered, fragmented: r.fragmented, chapters: r.chapters, size: r.file.size }).catch(() => {});
  return r;
}

/** The playable length of a media file, read from its index (0 when it cannot be read). */
export async function mediaDurationMs(file: Blob): Promise<number> {
  try {
    const { Input, BlobSource, ALL_FORMATS } = await import('mediabunny');
    const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
    try {
      return (await input.computeDuration()) * 1000;
    } finally {
      input.dispose();
    }
  } catch {
    return 0;
  }
}
