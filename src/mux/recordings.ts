import { recordingsDir } from './opfs-sink.ts';
import { StudioStateError } from '../util/errors.ts';
import type { RecordingInfo } from '../util/types.ts';

/** Recordings kept in the origin-private file system, newest first. */
export async function listRecordings(): Promise<RecordingInfo[]> {
  const dir = await recordingsDir();
  const out: RecordingInfo[] = [];
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind !== 'file') continue;
    const f = await (handle as FileSystemFileHandle).getFile();
    out.push({ name, size: f.size, lastModified: f.lastModified });
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
}

/** A file name for a new recording, from the local date and time. */
export function recordingName(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `Backdrop ${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}
