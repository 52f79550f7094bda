import { recordingsDir } from './opfs-sink.ts';
import type { Chapter } from '../util/types.ts';

/**
 * What the file list shows about a recording without opening it, kept beside it in a small
 * JSON file (recordings/.meta/<name>.json). Also holds the chapters of a recording that is still
 * running, so that a crash keeps them.
 */
export interface RecordingMeta {
  /** The playable length; null until measured. */
  durationMs: number | null;
  recovered: boolean;
  fragmented: boolean;
  chapters: Chapter[];
  /** The file size the other fields were measured at (a different size means they are stale). */
  size: number | null;
}

const META_DIR = '.meta';

async function metaDir(): Promise<FileSystemDirectoryHandle> {
  return (await recordingsDir()).getDirectoryHandle(META_DIR, { create: true });
}

/** The stored facts about recording `name` (its final file name), or null. */
export async function readMeta(name: string): Promise<RecordingMeta | null> {
  try {
    const f = await (await (await metaDir()).getFileHandle(`${name}.json`)).getFile();
    const m = JSON.parse(await f.text()) as Partial<RecordingMeta>;
    return {
      durationMs: typeof m.durationMs === 'number' ? m.durationMs : null, recovered: m.recovered === true, fragmented: m.fragmented === true,
      chapters: Array.isArray(m.chapters) ? m.chapters.filter(isChapter) : [], size: typeof m.size === 'number' ? m.size : null,
    };
  } catch {
    return null;
  }
}

/** Stores the facts about recording `name`; the file is replaced whole (a crash keeps the old or the new one). */
export async function writeMeta(name: string, meta: RecordingMeta): Promise<void> {
  const handle = await (await metaDir()).getFileHandle(`${name}.json`, { create: true });
  const w = await handle.createWritable();
  try {
    await w.write(JSON.stringify(meta));
    await w.close();
  } catch (e) {
    await w.abort().catch(() => {});
    throw e;
  }
}

/** Forgets recording `name`'s facts (when it is deleted). */
export async function removeMeta(name: string): Promise<void> {
  await (await metaDir()).removeEntry(`${name}.json`).catch(() => {});
}

function isChapter(c: unknown): c is Chapter {
  return typeof c === 'object' && c !== null && typeof (c as Chapter).title === 'string' && Number.isFinite((c as Chapter).timeMs);
}

/** The chapter markers of a running recording, stored as they are added so that a crash keeps them. */
export class ChapterLog {
  private readonly items: Chapter[] = [];
  private saving: Promise<void> = Promise.resolve();

  /** `name` is the recording's final file name (where its facts are kept). */
  constructor(readonly name: string, private readonly onError: (e: unknown) => void = () => {}) {}

  /** Adds a chapter at `timeMs` of the recording; without a title it is "Chapter n". */
  add(title: string | undefined, timeMs: number): Chapter {
    const chapter = { title: title?.trim() || `Chapter ${this.items.length + 1}`, timeMs: Math.max(0, Math.round(timeMs)) };
    this.items.push(chapter);
    const snapshot = [...this.items];
    this.saving = this.saving.then(() => writeMeta(this.name, { durationMs: null, recovered: false, fragmented: false, chapters: snapshot, size: null }))
      .catch((e) => this.onError(e));
    return chapter;
  }

  /** The chapters so far, in the order they were added. */
  get list(): Chapter[] { return [...this.items]; }

  /** Resolves when every chapter added so far is on disk (before the recording is finalised). */
  settled(): Promise<void> { return this.saving; }
}
