/**
 * Names of undo steps for people ("Move Camera", "Rename scene Interview"), read from the
 * command and the state it was applied to. Shown on the Undo/Redo buttons and announced.
 */
import type { SceneCommand } from './commands.ts';
import { locateItem } from './commands.ts';
import type { SceneCollection } from './types.ts';

/** What an item patch changed, in the words of OBS's undo menu. */
function itemVerb(patch: object): string {
  const keys = Object.keys(patch);
  const only = (...ks: string[]) => keys.length > 0 && keys.every((k) => ks.includes(k));
  if (only('x', 'y')) return 'Move';
  if (only('width', 'height') || only('x', 'y', 'width', 'height')) return 'Resize';
  if (only('rotation')) return 'Rotate';
  if (only('crop')) return 'Crop';
  if (only('opacity')) return 'Change opacity of';
  if (only('visible')) return 'Show or hide';
  if (only('locked')) return 'Lock or unlock';
  if (only('fit')) return 'Change fit of';
  return 'Transform';
}

/** The step's label for a command applied to `prev`. */
export function commandLabel(cmd: SceneCommand, prev: Readonly<SceneCollection>): string {
  const source = (id: string) => prev.sources.find((s) => s.id === id)?.name ?? 'source';
  const scene = (id: string) => prev.scenes.find((s) => s.id === id)?.name ?? 'scene';
  const itemSource = (itemId: string) => {
    const at = locateItem(prev as SceneCollection, itemId);
    const item = at ? prev.scenes[at.scene]!.items[at.index] : undefined;
    return item ? source(item.sourceId) : 'item';
  };
  switch (cmd.type) {
    case 'load': return 'Import scenes';
    case 'addSource': return `Add ${cmd.name ?? 'source'}`;
    case 'updateSource': return cmd.settings === undefined && cmd.name !== undefined ? `Rename ${source(cmd.sourceId)}` : `Change ${source(cmd.sourceId)}`;
    case 'removeSource': return `Delete ${source(cmd.sourceId)}`;
    case 'setSourceBackground': return `Change filter of ${source(cmd.sourceId)}`;
    case 'createScene': return 'Add scene';
    case 'renameScene': return `Rename ${scene(cmd.sceneId)}`;
    case 'duplicateScene': return `Duplicate ${scene(cmd.sceneId)}`;
    case 'removeScene': return `Delete ${scene(cmd.sceneId)}`;
    case 'setCurrentScene': return `Switch to ${scene(cmd.sceneId)}`;
    case 'addItem': return `Add ${source(cmd.sourceId)} to ${scene(cmd.sceneId)}`;
    case 'updateItem': return `${itemVerb(cmd.patch ?? {})} ${itemSource(cmd.itemId)}`;
    case 'removeItem': return `Remove ${itemSource(cmd.itemId)}`;
    case 'reorderItem': return `Reorder ${itemSource(cmd.itemId)}`;
    case 'setOutput': return 'Change output';
    default: return 'Edit';
  }
}
