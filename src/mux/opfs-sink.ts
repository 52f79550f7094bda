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
  /** The first write error (a full disk): later writes are refused at once. */
  failure: StorageError | null = null;
  /** Hears the first write error, as it happens (the muxer may only report it later). */
  onFailure: (e: StorageError) => void = () => {};
  readonly writable: WritableStream<Chunk>;

  private constructor(readonly name: string, private readonly handle: FileSystemSyncAccessHandle) {
    this.writable = new WritableStream<Chunk>({
      write: (chunk) => this.write(chunk.data, chunk.position),
    });
  }

  /**
   * Creates `name` in the recordings folder (replacing a file of that name). With `reserveBytes`
   * the file is first grown to that size and back, which the browser's quota checks like a
   * write: too little space refuses the recording before it starts, and no file is left.
   */
  static async create(name: string, reserveBytes = 0): Promise<OpfsFileSink> {
    const dir = await recordingsDir();
    let handle: FileSystemSyncAccessHandle | null = null;
    try {
      const file = await dir.getFileHandle(name, { create: true });
      handle = await (file as FileSystemFileHandle & { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> }).createSyncAccessHandle();
      if (reserveBytes > 0) {
        // Over quota, Chrome's truncate does not throw: the file just stays smaller.
        handle.truncate(Math.ceil(reserveBytes));
        if (handle.getSize() < Math.ceil(reserveBytes)) throw new DOMException('reservation refused', 'QuotaExceededError');
      }
      handle.truncate(0);
      return new OpfsFileSink(name, handle);
    } catch (e) {
      handle?.close();
      await dir.removeEntry(name).catch(() => {});
      const err = storageError(e);
      if (reserveBytes > 0 && err.details.quota) {
        throw new StorageError(`There is not enough free storage to record: at least ${Math.ceil(reserveBytes / 1e6)} MB (about a minute at this quality) ` +
          'is needed. Delete old recordings or free disk space (or lower the bitrate), then start again.', { quota: true, needBytes: reserveBytes });
      }
      throw err;
    }
  }

  private write(data: Uint8Array, position: number): void {
    if (this.closed) return;
    if (this.failure) throw this.failure;
    let done = 0;
    try {
      while (done < data.byteLength) {
        const n = this.handle.write(data.subarray(done), { at: position + done });
        // Over quota, Chrome returns an error code as a huge count instead of throwing.
        if (!(n > 0 && n <= data.byteLength - done)) throw new DOMException('short write', 'QuotaExceededError');
        done += n;
      }
    } catch (e) {
      this.failure = storageError(e);
      // A partly written chunk would leave a broken fragment after the last whole one.
      try { this.handle.truncate(this.size); } catch { /* the file keeps what it has */ }
      this.onFailure(this.failure);
      throw this.failure;
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
