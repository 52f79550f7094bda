/**
 * What changed in the sources between two collections. Undo and redo swap whole states, and the
 * page's media (cameras, screens, decoded images, video files, filters in the render worker) must
 * then follow: a source that came back is reopened, one that went away is closed.
 */
import type { SceneCollection, SourceEntry, SourceSettings } from './types.ts';

/** The sources' differences from `before` to `after`, each list in collection order. */
export interface SourceChanges {
  /** In `before` only: close their media. */
  removed: string[];
  /** In `after` only: open their media. */
  added: string[];
  /** An image or video whose stored file changed: open it again from the other file. */
  refiled: string[];
  /** Other settings changed (a video's loop or mute acts at once). */
  settings: { id: string; before: SourceSettings; after: SourceSettings }[];
  /** The background filter changed: send it to the render worker. */
  backgrounds: string[];
}

const blobOf = (s: SourceSettings): string | null => (s.kind === 'image' || s.kind === 'video' ? s.blobId : null);

/** Compares the sources of two collections (by id; entries shared between states are skipped at once). */
export function sourceChanges(before: Readonly<SceneCollection>, after: Readonly<SceneCollection>): SourceChanges {
  const out: SourceChanges = { removed: [], added: [], refiled: [], settings: [], backgrounds: [] };
  if (before.sources === after.sources) return out;
  const old = new Map<string, Readonly<SourceEntry>>(before.sources.map((s) => [s.id, s]));
  const now = new Set(after.sources.map((s) => s.id));
  for (const s of before.sources) if (!now.has(s.id)) out.removed.push(s.id);
  for (const s of after.sources) {
    const was = old.get(s.id);
    if (!was) { out.added.push(s.id); continue; }
    if (was === s) continue;
    if (was.settings !== s.settings) {
      if (blobOf(was.settings) !== blobOf(s.settings)) out.refiled.push(s.id);
      else if (JSON.stringify(was.settings) !== JSON.stringify(s.settings)) out.settings.push({ id: s.id, before: was.settings, after: s.settings });
    }
    if (was.background !== s.background && JSON.stringify(was.background) !== JSON.stringify(s.background)) out.backgrounds.push(s.id);
  }
  return out;
}
