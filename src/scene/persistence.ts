/**
 * The scene collection in IndexedDB: one record for the collection, and the blobs it names
 * (images, video files) in their own object store beside it, so saving a moved item never
 * rewrites megabytes of media. What comes back is validated like an import: a stored value
 * that no longer passes the schema is reported and ignored, never half-loaded.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { SceneValidationError, StorageError, StudioError } from '../util/errors.ts';
import { parseSceneCollection } from './schema.ts';
import type { SceneCollection } from './types.ts';

const DB_NAME = 'backdrop-studio-scenes';
const DB_VERSION = 1;
const COLLECTION_KEY = 'current';

/** The stored record: the wrapper leaves room for a later format change. */
interface StoredCollection { format: 1; savedAt: number; collection: unknown }

interface SceneDbSchema extends DBSchema {
  collection: { key: string; value: StoredCollection };
  blobs: { key: string; value: Blob };
}

/** The scene database of this origin. */
export interface SceneDb {
  /** The saved collection, validated; null when none was saved or the stored one is corrupt (see `loadProblem`). */
  loadCollection(): Promise<SceneCollection | null>;
  /** Why the last `loadCollection` returned null for a stored value, or null when it did not. */
  readonly loadProblem: SceneValidationError | null;
  /** Validates and saves the collection; `blobs` given here are written in the same transaction. */
  saveCollection(c: SceneCollection, blobs?: ReadonlyMap<string, Blob>): Promise<void>;
  /** Stores (or replaces) one media file under `id`. */
  putBlob(id: string, blob: Blob): Promise<void>;
  /** The blob, or null when there is none with this id. */
  getBlob(id: string): Promise<Blob | null>;
  /** Deletes every blob whose id is not in `ids` (those no source names any more); returns how many. */
  deleteBlobsExcept(ids: ReadonlySet<string>): Promise<number>;
  /** Closes the connection; later calls throw StorageError. */
  close(): void;
}

/** Any failure as a StorageError with a message for a person; typed errors pass through. */
function storageError(what: string, e: unknown): StudioError {
  if (e instanceof StudioError) return e;
  const name = typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
  const detail = e instanceof Error ? e.message : String(e);
  if (name === 'QuotaExceededError') {
    return new StorageError(`Not enough storage space to ${what}. Remove large images or videos, or free disk space, and try again.`,
      { reason: 'quota' }, { cause: e });
  }
  return new StorageError(`Could not ${what}: ${detail || name || 'the browser refused'}.`, { reason: name || 'unknown' }, { cause: e });
}

async function guarded<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw storageError(what, e);
  }
}

/** Opens (creating on first use) the scene database; throws StorageError when IndexedDB is unavailable. */
export async function openSceneDb(name = DB_NAME): Promise<SceneDb> {
  let closedReason: string | null = null;
  const db: IDBPDatabase<SceneDbSchema> = await guarded('open the scene database', () => {
    if (typeof indexedDB === 'undefined') throw new StorageError('Could not open the scene database: this browser context has no IndexedDB.');
    return openDB<SceneDbSchema>(name, DB_VERSION, {
      upgrade(up) {
        if (!up.objectStoreNames.contains('collection')) up.createObjectStore('collection');
        if (!up.objectStoreNames.contains('blobs')) up.createObjectStore('blobs');
      },
      // A newer studio in another tab wants to upgrade: step aside rather than block it.
      blocking() {
        closedReason = 'a newer version of the studio opened it in another tab; reload this page';
        db.close();
      },
      terminated() { closedReason = 'the browser closed it unexpectedly; reload this page'; },
    });
  });
  let loadProblem: SceneValidationError | null = null;

  const use = <T>(what: string, f: () => Promise<T>): Promise<T> => guarded(what, async () => {
    if (closedReason) throw new StorageError(`Could not ${what}: the scene database is closed (${closedReason}).`, { reason: 'closed' });
    return f();
  });

  return {
    get loadProblem() { return loadProblem; },

    loadCollection: () => use('load the saved scenes', async () => {
      loadProblem = null;
      const rec: unknown = await db.get('collection', COLLECTION_KEY);
      if (rec === undefined) return null;
      try {
        if (typeof rec !== 'object' || rec === null || (rec as StoredCollection).format !== 1) {
          const message = 'is not a saved scene collection';
          throw new SceneValidationError(`The saved scenes are not valid: ${message}`, { issues: [{ path: '', message }] });
        }
        return parseSceneCollection((rec as StoredCollection).collection);
      } catch (e) {
        if (!(e instanceof SceneValidationError)) throw e;
        loadProblem = e;
        return null;
      }
    }),

    saveCollection: async (c, blobs) => {
      const collection = parseSceneCollection(c);
      await use('save the scenes', async () => {
        const tx = db.transaction(['collection', 'blobs'], 'readwrite');
        const writes: Promise<unknown>[] = [tx.objectStore('collection').put({ format: 1, savedAt: Date.now(), collection }, COLLECTION_KEY)];
        for (const [id, blob] of blobs ?? []) writes.push(tx.objectStore('blobs').put(blob, id));
        await Promise.all([...writes, tx.done]);
      });
    },

    putBlob: (id, blob) => use('save a media file', async () => {
      await db.put('blobs', blob, id);
    }),

    getBlob: (id) => use('read a saved media file', async () => (await db.get('blobs', id)) ?? null),

    deleteBlobsExcept: (ids) => use('remove unused media files', async () => {
      const tx = db.transaction('blobs', 'readwrite');
      const keys = await tx.store.getAllKeys();
      const doomed = keys.filter((k) => !ids.has(k));
      await Promise.all([...doomed.map((k) => tx.store.delete(k)), tx.done]);
      return doomed.length;
    }),

    close() {
      closedReason ??= 'close() was called';
      db.close();
    },
  };
}

/** The blob ids a collection names (image and video sources, image backgrounds): what `deleteBlobsExcept` should keep. */
export function blobIdsOf(c: Readonly<SceneCollection>): Set<string> {
  const ids = new Set<string>();
  for (const s of c.sources) {
    if (s.settings.kind === 'image' || s.settings.kind === 'video') ids.add(s.settings.blobId);
    if (s.background.type === 'image') ids.add(s.background.blobId);
  }
  return ids;
}
