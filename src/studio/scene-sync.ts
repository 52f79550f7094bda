import type * as Comlink from 'comlink';
import { SceneStore } from '../scene/store.ts';
import { EditHistory } from '../scene/history.ts';
import { blobIdsOf, openSceneDb, type SceneDb } from '../scene/persistence.ts';
import type { SceneCollection, TransitionSpec } from '../scene/types.ts';
import { asStudioError, type StudioError } from '../util/errors.ts';
import type { RenderWorkerApi } from '../worker-apis.ts';

/** How long edits settle before the collection is written to IndexedDB. */
const SAVE_DELAY_MS = 200;

/**
 * Keeps the render worker and IndexedDB in step with the one scene store that the UI and the
 * API both edit. Pushes are coalesced per task (a burst of edits is one message); a scene switch
 * carries its transition. Blobs (images, video files) are stored beside the collection.
 */
export class SceneSync {
  readonly store = new SceneStore();
  /** Undo/redo of the store's edits; the blobs its states name are kept. */
  readonly history = new EditHistory(this.store);
  private db: SceneDb | null = null;
  private pushQueued = false;
  private transition: TransitionSpec | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private readonly blobs = new Map<string, Blob>();
  /**
   * Blobs stored for a source that is not in the collection yet (its media is still opening):
   * a save that runs meanwhile must not collect them. Kept for a minute at most.
   */
  private readonly fresh = new Map<string, number>();
  private nextBlob = 0;

  constructor(private readonly render: Comlink.Remote<RenderWorkerApi>, private readonly onError: (e: StudioError) => void) {
    this.store.subscribe(() => { this.queuePush(); this.queueSave(); });
  }

  /** Opens IndexedDB and restores the saved collection (a corrupt one is reported and replaced). */
  async restore(): Promise<void> {
    try {
      this.db = await openSceneDb();
      const saved = await this.db.loadCollection();
      if (saved) this.store.load(saved);
      // A corrupt saved collection is replaced by a fresh one; say so rather than lose it quietly.
      else if (this.db.loadProblem) this.onError(asStudioError(this.db.loadProblem, 'The saved scenes could not be read'));
      // Loading what was saved is no edit of this visit.
      this.history.clear();
    } catch (e) {
      this.onError(asStudioError(e, 'The saved scenes could not be read'));
    }
    this.queuePush();
  }

  /** Makes the next push change to a newly current scene with `t` (a cut when none is given). */
  transitionNext(t: TransitionSpec | null): void { this.transition = t; }

  private queuePush(): void {
    if (this.pushQueued) return;
    this.pushQueued = true;
    queueMicrotask(() => {
      this.pushQueued = false;
      const t = this.transition;
      this.transition = null;
      this.render.setCollection(this.store.state as SceneCollection, t).catch((e: unknown) => this.onError(asStudioError(e, 'The scene could not be shown')));
    });
  }

  /** Resolves once the worker has the newest collection. */
  async flush(): Promise<void> {
    await new Promise<void>((r) => queueMicrotask(r));
    await this.render.setCollection(this.store.state as SceneCollection, null);
  }

  private queueSave(): void {
    if (!this.db) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.saveNow();
    }, SAVE_DELAY_MS);
  }

  /** Writes the collection now (and forgets blobs no source uses). */
  saveNow(): Promise<void> {
    if (this.saveTimer) { clearTimeout(this.saveTimer); this.saveTimer = null; }
    const db = this.db;
    if (!db) return Promise.resolve();
    const snapshot = this.store.snapshot();
    this.saving = this.saving.then(async () => {
      await db.saveCollection(snapshot);
      const keep = blobIdsOf(snapshot);
      // A source that undo can bring back needs its file.
      for (const id of this.history.blobIds()) keep.add(id);
      const now = Date.now();
      for (const [id, at] of this.fresh) {
        if (keep.has(id) || now - at > 60_000) this.fresh.delete(id);
        else keep.add(id);
      }
      await db.deleteBlobsExcept(keep);
      for (const id of this.blobs.keys()) if (!keep.has(id)) this.blobs.delete(id);
    }).catch((e: unknown) => this.onError(asStudioError(e, 'The scenes could not be saved')));
    return this.saving;
  }

  /** Stores a blob beside the collection; returns its id. */
  async putBlob(blob: Blob): Promise<string> {
    const id = `blob-${Date.now().toString(36)}-${(this.nextBlob++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.blobs.set(id, blob);
    this.fresh.set(id, Date.now());
    if (this.db) {
      try {
        await this.db.putBlob(id, blob);
      } catch (e) {
        // The source works for this visit; only its return after a reload is lost.
        this.onError(asStudioError(e, 'The file could not be saved for the next visit'));
      }
    }
    return id;
  }

  /** A stored blob, or null if it is gone (the person is asked for the file again). */
  async getBlob(id: string): Promise<Blob | null> {
    const b = this.blobs.get(id);
    if (b) return b;
    const stored = this.db ? await this.db.getBlob(id).catch(() => null) : null;
    if (stored) this.blobs.set(id, stored);
    return stored ?? null;
  }
}
