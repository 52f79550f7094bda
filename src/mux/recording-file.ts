import { OpfsFileSink, recordingsDir, storageError } from './opfs-sink.ts';
import { RecordingOutput, type RecordingFormat } from './recording-output.ts';
import { EncoderError, StudioError, asStudioError } from '../util/errors.ts';

/** Deletes a file that a failed start left behind (best effort: the start error is what matters). */
export async function removeRecording(name: string): Promise<void> {
  await (await recordingsDir()).removeEntry(name).catch(() => {});
}

/** A typed error for what the muxer reports: the writer's own (storage) errors as they are, a DOMException as storage, anything else as the muxer's. */
function muxerError(e: unknown): StudioError {
  if (e instanceof StudioError) return e;
  if (e instanceof DOMException) return storageError(e);
  return new EncoderError(`The recording file could not be written (${e instanceof Error ? e.message : String(e)}). What was written before this point is kept.`);
}

/**
 * One recording file: the muxer (RecordingOutput) writing through an OPFS sink. The first error
 * of either (a full disk, a muxer error) is reported once, as it happens.
 */
export class RecordingFile {
  private constructor(readonly name: string, private readonly sink: OpfsFileSink, private readonly out: RecordingOutput) {}

  /**
   * Creates `name` (room for `reserveBytes` is checked first) and writes its header. A file that
   * cannot start is removed again.
   */
  static async open(name: string, format: RecordingFormat, reserveBytes: number, onError: (e: StudioError) => void): Promise<RecordingFile> {
    const sink = await OpfsFileSink.create(name, reserveBytes);
    const out = new RecordingOutput(sink.writable, format, (e) => onError(muxerError(e)));
    sink.onFailure = onError;
    try {
      await out.start();
    } catch (e) {
      sink.close();
      await removeRecording(name);
      throw asStudioError(e, 'Could not start the recording file');
    }
    return new RecordingFile(name, sink, out);
  }

  /** Packets handed to the muxer but not yet written (writer backpressure). */
  get pending(): number { return this.out.pending; }
  /** The file's size, and the bytes written so far. */
  get size(): number { return this.sink.size; }
  get bytesWritten(): number { return this.sink.bytesWritten; }

  /** Queues a video chunk; `originUs` becomes 0 in the file. */
  addVideo(chunk: EncodedVideoChunk, originUs: number, meta?: EncodedVideoChunkMetadata): void { this.out.addVideo(chunk, originUs, meta); }
  /** Queues an audio chunk on the same origin. */
  addAudio(chunk: EncodedAudioChunk, originUs: number, meta?: EncodedAudioChunkMetadata): void { this.out.addAudio(chunk, originUs, meta); }
  /** Makes what was written durable. */
  flush(): void { this.sink.flush(); }

  /** Finishes the file (last fragment and index) and releases it; resolves to what went wrong, or null. */
  async finish(): Promise<StudioError | null> {
    let error: StudioError | null = null;
    try {
      await this.out.finalize();
    } catch (e) {
      error = asStudioError(e, 'Finishing the file failed');
      await this.out.cancel();
    }
    this.sink.close();
    return error;
  }

  /** Releases the file and deletes it (nothing worth keeping was written). */
  async discard(): Promise<void> {
    await this.out.cancel();
    this.sink.close();
    await removeRecording(this.name);
  }
}
