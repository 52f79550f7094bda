import { StorageError } from '../util/errors.ts';

/** The OPFS folder that holds recordings. */
export const RECORDINGS_DIR = 'recordings';

/** Opens (creating) the recordings folder of the origin-private file system. */
export async function recordingsDir(): Promise<FileSystemDirectoryHandle> {
  try {
    const root = await navigator.storage.getDirectory();
    return await root.getDirectoryHandle(RECORDINGS_DIR, { create: true });
  } catch (e) {
    throw new StorageError(`The browser's private storage is not available (${e instanceof Error ? e.message : e}), so nothing can be recorded.`);
  }
}

interface Chunk { type: 'write'; data: Uint8Array; position: number }

/** Translates a storage exception into the typed error the UI shows. */
export function storageError(e: unknown): StorageError {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'QuotaExceededError') return new StorageError('The disk is full (or the browser storage quota is used up). The recording was stopped; everything written before this point is kept.', { quota: true });
  return new StorageError(`Writing the recording failed: ${e instanceof Error ? e.message : String(e)}. What was written before this point is kept.`);
}

/**
 * A file in OPFS written through a synchronous access handle (dedicated workers only), exposed
 * as the WritableStream of positioned writes that mediabunny's StreamTarget expects. Nothing is
 * kept in memory: every chunk goes to disk as it arrives.
 */
export class OpfsFileSink {
  bytesWritten = 0;
  /** Highest byte position written, i.e. the file size. */
  size = 0;
  private closed = false;
  readonly writable: WritableStream<Chunk>;

  private constructor(readonly name: string, private readonly handle: FileSystemSyncAccessHandle) {
    this.writable = new WritableStream<Chunk>({
      write: (chunk) => this.write(chunk.data, chunk.position),
    });
  }

  /** Creates `name` in the recordings folder (replacing a file of that name). */
  static async create(name: string): Promise<OpfsFileSink> {
    const dir = await recordingsDir();
    try {
      const file = await dir.getFileHandle(name, { create: true });
      const handle = await (file as FileSystemFileHandle & { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> }).createSyncAccessHandle();
      handle.truncate(0);
      return new OpfsFileSink(name, handle);
    } catch (e) {
      throw storageError(e);
    }
  }

  private write(data: Uint8Array, position: number): void {
    if (this.closed) return;
    let done = 0;
    try {
      while (done < data.byteLength) {
        const n = this.handle.write(data.subarray(done), { at: position + done });
        if (n <= 0) throw new DOMException('short write', 'QuotaExceededError');
        done += n;
      }
    } catch (e) {
      throw storageError(e);
    }
    this.bytesWritten += done;
    this.size = Math.max(this.size, position + done);
  }

  /** Makes what was written durable (called periodically so a crash loses little). */
  flush(): void {
    if (!this.closed) try { this.handle.flush(); } catch { /* reported by the next write */ }
  }

  /** Flushes and releases the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.handle.close();
  }
}
