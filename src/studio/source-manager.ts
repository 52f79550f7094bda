import type * as Comlink from 'comlink';
import type { BackgroundEffect } from '../segment/background-effect.ts';
import { DEFAULT_TEXT, type SceneCollection, type SourceEntry, type SourceSettings, type StoredBackground, type TextSettings } from '../scene/types.ts';
import { sourceChanges } from '../scene/source-diff.ts';
import type { SourceSettingsPatch } from '../scene/schema.ts';
import { MediaDecodeError, StudioStateError, asStudioError, type StudioError } from '../util/errors.ts';
import type { RenderWorkerApi } from '../worker-apis.ts';
import type { SceneSync } from './scene-sync.ts';
import type { SourceMedia } from './source-media.ts';

/** What `addSource` takes: the kind and its media or settings. */
export type SourceSpec = ({ name?: string; filter?: BackgroundEffect }) & (
  | { kind: 'camera'; deviceId?: string; width?: number; height?: number; frameRate?: number; audio?: boolean }
  | { kind: 'display'; audio?: boolean }
  | { kind: 'image'; image: Blob }
  | { kind: 'color'; color: string }
  | ({ kind: 'text'; text: string } & Partial<Omit<TextSettings, 'text'>>)
  | { kind: 'video'; file: Blob; loop?: boolean; muted?: boolean }
);

/** A source as listed: its stored entry plus whether its media is there. */
export interface SourceInfo extends SourceEntry {
  /** 'live': showing; 'off': camera/screen not open; 'ended': stopped, last picture shown; 'missing': its file must be chosen again. */
  status: 'live' | 'off' | 'ended' | 'missing';
  message: string | null;
}

/**
 * Sources of the scene collection and their media: adding one opens its media (and rolls the
 * source back if that fails), removing one closes it, and after a reload the stored images and
 * video files are reopened from IndexedDB. Filters (background removal) belong to the source.
 */
export class SourceManager {
  private readonly status = new Map<string, { status: SourceInfo['status']; message: string | null }>();
  /** Whether a removed camera or screen was open (and with a microphone): undoing the removal opens it alike. */
  private readonly closed = new Map<string, { live: boolean; microphone: boolean }>();

  constructor(private readonly sync: SceneSync, private readonly media: SourceMedia, private readonly render: Comlink.Remote<RenderWorkerApi>,
    private readonly onError: (e: StudioError) => void, private readonly onChange: () => void) {}

  private setStatus(id: string, status: SourceInfo['status'], message: string | null = null): void {
    this.status.set(id, { status, message });
    this.onChange();
  }

  /** Adds a source and opens its media; resolves to its id. Bad input throws a typed error and adds nothing. */
  async add(spec: SourceSpec): Promise<string> {
    if (!spec || typeof spec !== 'object') throw new StudioStateError('addSource needs a source description such as { kind: "image", image }.');
    const store = this.sync.store;
    const cams = store.state.sources.filter((s) => s.settings.kind === 'camera').length;
    let settings: SourceSettings;
    let bitmapBlob: Blob | null = null;
    switch (spec.kind) {
      case 'camera': settings = { kind: 'camera', deviceId: spec.deviceId, width: spec.width, height: spec.height, frameRate: spec.frameRate }; break;
      case 'display': settings = { kind: 'display', audio: spec.audio !== false }; break;
      case 'color': settings = { kind: 'color', color: spec.color }; break;
      case 'text': {
        const { kind, name: _n, filter: _f, ...rest } = spec;
        settings = { ...DEFAULT_TEXT, ...rest, kind };
        break;
      }
      case 'image':
        if (!(spec.image instanceof Blob)) throw new MediaDecodeError('An image source needs an image file (a Blob or File).');
        bitmapBlob = spec.image;
        settings = { kind: 'image', blobId: 'pending', mimeType: spec.image.type || 'application/octet-stream' };
        break;
      case 'video':
        if (!(spec.file instanceof Blob)) throw new MediaDecodeError('A video source needs a video file (a Blob or File).');
        settings = { kind: 'video', blobId: 'pending', fileName: (spec.file as File).name || 'video', loop: spec.loop !== false, muted: spec.muted === true };
        break;
      default:
        throw new StudioStateError(`Unknown source kind ${JSON.stringify((spec as { kind?: unknown }).kind)}: use camera, display, image, color, text or video.`);
    }
    const loose = settings as unknown as Record<string, unknown>;
    for (const k of Object.keys(loose)) if (loose[k] === undefined) delete loose[k];
    // The image is decoded first so a broken file changes nothing.
    const bitmap = bitmapBlob ? await this.media.decode(bitmapBlob) : null;
    if (bitmapBlob) (settings as { blobId: string }).blobId = await this.sync.putBlob(bitmapBlob);
    if (spec.kind === 'video') (settings as { blobId: string }).blobId = await this.sync.putBlob(spec.file);
    let id: string;
    // One undo step for the source and its filter; a failed add that is rolled back leaves none.
    this.sync.history.beginGroup(`Add ${spec.name ?? 'source'}`);
    try {
      try {
        id = store.apply({ type: 'addSource', settings, name: spec.name });
      } catch (e) {
        bitmap?.close();
        throw e;
      }
      try {
        if (bitmap) { await this.media.sendImage(id, bitmap); this.setStatus(id, 'live'); }
        else await this.openMedia(id, spec.kind === 'camera' ? spec.audio ?? cams === 0 : false, spec.kind === 'video' ? spec.file : null);
        if (spec.filter) await this.setBackground(id, spec.filter);
      } catch (e) {
        store.apply({ type: 'removeSource', sourceId: id });
        this.status.delete(id);
        throw asStudioError(e, 'The source could not be added');
      }
    } finally {
      this.sync.history.endGroup();
    }
    return id;
  }

  /** Opens (or reopens) the media of a stored source; `file` replaces an image's or a video's file. */
  async openMedia(id: string, microphone = false, file: Blob | null = null): Promise<void> {
    const entry = this.sync.store.source(id);
    if (!entry) throw new StudioStateError(`No source has the id ${JSON.stringify(id)}.`);
    const st = entry.settings;
    if (st.kind === 'camera') {
      await this.media.openCamera(id, { deviceId: st.deviceId, width: st.width, height: st.height, frameRate: st.frameRate, audio: microphone }, microphone);
    } else if (st.kind === 'display') {
      await this.media.openDisplay(id, st.audio);
    } else if (st.kind === 'image') {
      const blob = file ?? await this.sync.getBlob(st.blobId);
      if (!blob) { this.setStatus(id, 'missing', 'The image is no longer stored: choose it again.'); return; }
      const bitmap = await this.media.decode(blob);
      if (file) await this.storeFile(id, file, { mimeType: file.type || st.mimeType });
      await this.media.sendImage(id, bitmap);
    } else if (st.kind === 'video') {
      const blob = file ?? await this.sync.getBlob(st.blobId);
      if (!blob) { this.setStatus(id, 'missing', `The video file "${st.fileName}" could not be reopened: choose it again.`); return; }
      await this.media.openVideo(id, blob, st.loop, st.muted, entry.name);
      if (file) await this.storeFile(id, file, { fileName: (file as File).name || st.fileName });
    }
    this.setStatus(id, 'live');
    await this.applyBackground(id);
  }

  /** Keeps a replacement file beside the collection once it opened (a broken one changes nothing). */
  private async storeFile(id: string, file: Blob, patch: SourceSettingsPatch): Promise<void> {
    const blobId = await this.sync.putBlob(file);
    this.sync.store.apply({ type: 'updateSource', sourceId: id, settings: { ...patch, blobId } as SourceSettingsPatch });
  }

  /** Reopens the stored images and video files after a reload or an import; cameras and screens wait for the person. */
  async restoreMedia(): Promise<void> {
    for (const s of this.sync.store.state.sources) {
      const k = s.settings.kind;
      if (k === 'camera' || k === 'display') { this.setStatus(s.id, 'off'); continue; }
      if (k === 'color' || k === 'text') { this.setStatus(s.id, 'live'); continue; }
      await this.openMedia(s.id).catch((e: unknown) => {
        this.setStatus(s.id, 'missing', asStudioError(e, 'The file could not be reopened').message);
      });
    }
  }

  /** A camera or screen stopped: its item keeps the last picture; the recording goes on. */
  ended(id: string, reason: string): void {
    if (this.status.get(id)?.status === 'ended') return;
    this.media.close(id);
    this.setStatus(id, 'ended', reason);
  }

  /** Changes a source's settings or name (a video's loop and mute act at once). */
  async update(id: string, patch: { name?: string } & SourceSettingsPatch): Promise<void> {
    const { name, ...settings } = patch ?? {};
    const before = this.sync.store.source(id);
    this.sync.store.apply({ type: 'updateSource', sourceId: id, name, settings: Object.keys(settings).length ? settings as SourceSettingsPatch : undefined });
    const after = this.sync.store.source(id)!;
    if (before) await this.settingsChanged(id, before.settings, after.settings);
  }

  /** Makes a video's loop and mute act at once after its settings changed (an edit, or undo/redo). */
  private async settingsChanged(id: string, was: SourceSettings, now: SourceSettings): Promise<void> {
    if (was.kind !== 'video' || now.kind !== 'video') return;
    if (was.loop !== now.loop) {
      await this.render.controlVideo(id, null, now.loop);
      await this.media.controlAudio(id, null, now.loop);
    }
    if (!was.muted && now.muted) await this.media.dropAudio(id);
    if (was.muted && !now.muted) {
      const blob = await this.sync.getBlob(now.blobId);
      if (blob) {
        await this.media.addVideoAudio(id, blob, now.loop);
        // Picture and sound start together again.
        await this.render.controlVideo(id, 'restart', null);
      }
    }
  }

  /** Play, pause or restart a video file source, picture and sound together. */
  async controlVideo(id: string, action: 'play' | 'pause' | 'restart'): Promise<void> {
    await this.render.controlVideo(id, action, null);
    await this.media.controlAudio(id, action, null);
  }

  /** Removes a source, its items in every scene and its media. */
  remove(id: string): void {
    this.sync.store.apply({ type: 'removeSource', sourceId: id });
    this.forget(id);
  }

  /** Closes the media of a source that left the collection and forgets its status (remembering whether it was open). */
  private forget(id: string): void {
    this.closed.set(id, { live: this.media.isLive(id), microphone: this.media.tracksOf(id).audio !== null });
    this.media.close(id);
    this.status.delete(id);
  }

  /**
   * Brings the media in step after undo or redo replaced `before` by `after`: sources that went
   * away are closed, sources that came back are opened again (a camera or screen only if it was
   * open when it was removed; images and videos from their stored files), and changed files,
   * video settings and filters take effect. A source that cannot be opened is marked, not fatal.
   */
  async reconcile(before: Readonly<SceneCollection>, after: Readonly<SceneCollection>): Promise<void> {
    const diff = sourceChanges(before, after);
    for (const id of diff.removed) this.forget(id);
    if (diff.removed.length) this.onChange();
    for (const id of [...diff.added, ...diff.refiled]) await this.reopen(id);
    for (const { id, before: was, after: now } of diff.settings) {
      await this.settingsChanged(id, was, now).catch((e: unknown) => this.onError(asStudioError(e, 'A source setting could not be applied')));
    }
    for (const id of diff.backgrounds) await this.applyBackground(id, true);
  }

  /** Opens a source that undo or redo brought back. */
  private async reopen(id: string): Promise<void> {
    const kind = this.sync.store.source(id)?.settings.kind;
    if (!kind) return;
    const was = this.closed.get(id);
    if ((kind === 'camera' || kind === 'display') && !was?.live) { this.setStatus(id, 'off'); return; }
    try {
      await this.openMedia(id, kind === 'camera' && was!.microphone);
      this.closed.delete(id);
    } catch (e) {
      const err = asStudioError(e, 'The source could not be opened again');
      if (kind === 'camera' || kind === 'display') this.setStatus(id, 'off', err.message);
      else this.setStatus(id, 'missing', err.message);
      this.onError(err);
    }
  }

  /** Sources with their status. */
  list(): SourceInfo[] {
    return this.sync.store.state.sources.map((s) => {
      const st = this.status.get(s.id);
      const live = this.media.isLive(s.id);
      const status = live ? 'live' : st?.status ?? 'off';
      return { ...structuredClone(s), status, message: st?.message ?? null };
    });
  }

  /** Sets a source's background filter (camera, screen, video) and stores it with the source. */
  async setBackground(id: string, effect: BackgroundEffect): Promise<void> {
    const entry = this.sync.store.source(id);
    if (!entry) throw new StudioStateError(`No source has the id ${JSON.stringify(id)}.`);
    await this.render.setSourceBackground(id, effect);
    let stored: StoredBackground;
    if (effect.type === 'image') {
      if (!(effect.image instanceof Blob)) throw new MediaDecodeError('An image background needs an image file.');
      stored = { type: 'image', blobId: await this.sync.putBlob(effect.image), ...(effect.lightWrap !== undefined ? { lightWrap: effect.lightWrap } : {}) };
    } else {
      stored = { ...effect } as StoredBackground;
    }
    this.sync.store.apply({ type: 'setSourceBackground', sourceId: id, background: stored });
  }

  /** Sends a source's stored filter to the render worker (after its media opened; `none` too when `always`, after undo). */
  private async applyBackground(id: string, always = false): Promise<void> {
    const bg = this.sync.store.source(id)?.background;
    if (!bg || (bg.type === 'none' && !always)) return;
    // Only a source with open media has a filter chain in the worker; the others get theirs when they open.
    if (always && !(this.media.isLive(id) || this.status.get(id)?.status === 'live')) return;
    const kind = this.sync.store.source(id)!.settings.kind;
    if (kind !== 'camera' && kind !== 'display' && kind !== 'video') return;
    try {
      if (bg.type === 'image') {
        const image = await this.sync.getBlob(bg.blobId);
        if (image) await this.render.setSourceBackground(id, { type: 'image', image, lightWrap: bg.lightWrap });
      } else {
        await this.render.setSourceBackground(id, bg as BackgroundEffect);
      }
    } catch (e) {
      this.onError(asStudioError(e, 'The background effect could not be restored'));
    }
  }
}
