/**
 * Where a file job writes: "<stem>.<ext>.part" in the recordings folder, which the recordings
 * list never shows, held by a recording lock while the job runs. Only a whole file is renamed
 * to "<stem>.<ext>" (and then listed like a recording); a cancelled or failed job removes its
 * part file, and one a crash left behind is removed by the next start's recovery (no lock holds
 * it any more), so nothing half-written ever looks complete.
 */
import { freshStem, holdRecordingLock, PART_SUFFIX } from '../mux/finalize.ts';
import { OpfsFileSink, recordingsDir } from '../mux/opfs-sink.ts';
import { writeMeta } from '../mux/recording-meta.ts';
import type { ContainerName } from '../util/types.ts';

type Movable = FileSystemFileHandle & { move(name: string): Promise<void> };

export class ProcessOutputFile {
  private done = false;

  private constructor(readonly name: string, private readonly sink: OpfsFileSink, private readonly release: () => void) {}

  /** Creates the part file for `stem` (made unique among recordings) in the container's extension. */
  static async create(stem: string, container: ContainerName): Promise<ProcessOutputFile> {
    const unique = await freshStem(stem);
    const release = await holdRecordingLock(unique);
    try {
      const name = `${unique}.${container}`;
      return new ProcessOutputFile(name, await OpfsFileSink.create(name + PART_SUFFIX), release);
    } catch (e) {
      release();
      throw e;
    }
  }

  /** The positioned-write stream the muxer writes through. */
  get writable(): OpfsFileSink['writable'] { return this.sink.writable; }
  /** Bytes in the part file so far. */
  get size(): number { return this.sink.size; }

  /** Gives the whole file its name, stores its list facts and returns it. */
  async commit(durationMs: number): Promise<File> {
    this.sink.close();
    const dir = await recordingsDir();
    try {
      const part = await dir.getFileHandle(this.name + PART_SUFFIX);
      await (part as Movable).move(this.name);
      const file = await (await dir.getFileHandle(this.name)).getFile();
      await writeMeta(this.name, { durationMs, recovered: false, fragmented: false, chapters: [], size: file.size }).catch(() => {});
      this.done = true;
      return file;
    } finally {
      this.release();
    }
  }

  /** Removes the part file (a cancelled or failed job). */
  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.sink.close();
    try {
      await (await recordingsDir()).removeEntry(this.name + PART_SUFFIX).catch(() => {});
    } finally {
      this.release();
    }
  }
}
