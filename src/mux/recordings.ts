import { recordingsDir } from './opfs-sink.ts';
import { isUnfinished, mediaDurationMs } from './finalize.ts';
import { readMeta, removeMeta, writeMeta } from './recording-meta.ts';
import { recoverOnce } from './recovery.ts';
import { StudioStateError } from '../util/errors.ts';
import type { RecordingInfo } from '../util/types.ts';

/**
 * Finished recordings kept in the origin-private file system, newest first. The first call
 * waits for interrupted recordings to be finished (recovery); recordings still being written
 * are not listed.
 */
export async function listRecordings(): Promise<RecordingInfo[]> {
  await recoverOnce();
  const dir = await recordingsDir();
  const out: RecordingInfo[] = [];
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind !== 'file' || !/\.(mp4|webm)$/i.test(name) || isUnfinished(name)) continue;
    const f = await (handle as FileSystemFileHandle).getFile();
    let meta = await readMeta(name);
    if (meta?.size !== f.size || meta.durationMs === null) {
      // Measured once and kept: reading every file's index on each listing would be slow.
      meta = { recovered: false, fragmented: false, chapters: [], ...meta, durationMs: await mediaDurationMs(f), size: f.size };
      await writeMeta(name, meta).catch(() => {});
    }
    out.push({
      name, size: f.size, lastModified: f.lastModified,
      durationMs: meta.durationMs ?? 0, recovered: meta.recovered, fragmented: meta.fragmented, chapters: meta.chapters,
    });
  }
  return out.sort((a, b) => b.lastModified - a.lastModified);
}

/** One recording as a File (reads from disk lazily; nothing is loaded into memory). */
export async function getRecording(name: string): Promise<File> {
  const dir = await recordingsDir();
  try {
    return await (await dir.getFileHandle(name)).getFile();
  } catch {
    throw new StudioStateError(`There is no recording named "${name}".`);
  }
}

/** Deletes a recording. */
export async function deleteRecording(name: string): Promise<void> {
  const dir = await recordingsDir();
  await dir.removeEntry(name);
  await removeMeta(name);
}

/** A file name for a new recording, from the local date and time. */
export function recordingName(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `Backdrop ${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}
