import { recordingsDir } from './opfs-sink.ts';
import { finalName, finalizeRecording, holdRecordingLock, isUnfinished, PART_SUFFIX, runningStems, stemOf, type FinalizeResult } from './finalize.ts';
import { isFragmented, topLevelBoxes } from './mp4-boxes.ts';
import { readMeta, removeMeta } from './recording-meta.ts';
import { asStudioError, type StudioError } from '../util/errors.ts';

/** Chrome writes through createWritable() into "<name>.crswap", visible in the folder, which a crash leaves behind. */
const SWAP_SUFFIX = '.crswap';

export interface RecoveryReport {
  /** Interrupted recordings finished now, under their final names. */
  recovered: FinalizeResult[];
  /** Interrupted recordings left as they were (they are tried again on the next start). */
  failed: { name: string; error: StudioError }[];
  /** Interrupted recordings that held no picture at all, removed. */
  discarded: string[];
}

/** Whether a running recording of some page holds `name` (its stem starts with a running stem). */
function isRunning(name: string, stems: string[]): boolean {
  return stems.some((s) => name.startsWith(s) && !/\d/.test(name.charAt(s.length)));
}

/**
 * Finishes every recording that a crash interrupted: a "<stem>.recording….mp4" that no running
 * recording of any page holds is made into a regular MP4 (chapters from its stored facts),
 * marked recovered, and takes its final name; half-written copies left by a crash are removed.
 */
export async function recoverRecordings(): Promise<RecoveryReport> {
  const report: RecoveryReport = { recovered: [], failed: [], discarded: [] };
  const dir = await recordingsDir();
  const names: string[] = [];
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind === 'file') names.push(name);
  }
  const running = await runningStems();
  for (const name of names.filter(isUnfinished)) {
    if (isRunning(name, running)) continue;
    const release = await holdRecordingLock(stemOf(name), { ifAvailable: true });
    if (!release) continue;
    try {
      // Another page may have finished it while this one waited for the lock.
      const file = await dir.getFileHandle(name).then((h) => h.getFile(), () => null);
      if (!file) continue;
      if (/\.mp4$/i.test(name) && !isFragmented(await topLevelBoxes(file))) {
        if (!(await dir.getFileHandle(finalName(name)).then(() => true, () => false))) {
          // Killed before the first fragment: no picture was ever written.
          await dir.removeEntry(name);
          await removeMeta(finalName(name));
          report.discarded.push(name);
          continue;
        }
      }
      const meta = await readMeta(finalName(name));
      report.recovered.push(await finalizeRecording(name, meta?.chapters ?? [], { recovered: true }));
    } catch (e) {
      report.failed.push({ name, error: asStudioError(e, `The interrupted recording "${name}" could not be finished`) });
    } finally {
      release();
    }
  }
  // A regular copy cut short by a crash (and the browser's swap file of its writer), whose
  // source was finished above or earlier.
  for (const name of names.filter((n) => n.endsWith(PART_SUFFIX) || n.endsWith(PART_SUFFIX + SWAP_SUFFIX))) {
    const part = name.endsWith(SWAP_SUFFIX) ? name.slice(0, -SWAP_SUFFIX.length) : name;
    const source = names.find((n) => isUnfinished(n) && finalName(n) + PART_SUFFIX === part);
    const stillThere = source && (await dir.getFileHandle(source).then(() => true, () => false));
    if (!stillThere && !isRunning(name, running)) await dir.removeEntry(name).catch(() => {});
  }
  return report;
}

let once: Promise<RecoveryReport> | null = null;

/** Recovery, run once per page load (the first caller starts it; later callers wait for the same run). */
export function recoverOnce(): Promise<RecoveryReport> {
  once ??= recoverRecordings().catch((e) => ({ recovered: [], failed: [{ name: '', error: asStudioError(e, 'Interrupted recordings could not be checked') }], discarded: [] }));
  return once;
}
