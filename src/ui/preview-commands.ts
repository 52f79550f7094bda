/**
 * The preview's item commands (context menu, Delete, Ctrl+C / Ctrl+V): each is one call of the
 * studio API, so each is one undo step and shows in every panel like any other edit.
 */
import type { Studio } from '../studio.ts';
import type { Size } from '../scene/layout.ts';
import type { ItemPatch } from '../scene/schema.ts';
import type { Scene, SceneItem } from '../scene/types.ts';
import { centreOnCanvas, copyTransform, fitToCanvas, flipPatch, orderIndex, resetTransform, stretchToCanvas } from '../scene/arrange.ts';
import type { MenuEntry } from './context-menu.ts';

type Report = (e: unknown) => void;

/** The transform Ctrl+C copied (shared by every preview editor on the page). */
let clipboard: ItemPatch | null = null;

/** Copies an item's placement for a later paste. */
export function copyItemTransform(item: Readonly<SceneItem>): void { clipboard = copyTransform(item); }

/** Whether a transform was copied. */
export function hasCopiedTransform(): boolean { return clipboard !== null; }

/** Pastes the copied placement onto an item (nothing when none was copied). */
export function pasteItemTransform(studio: Studio, itemId: string): Promise<void> {
  return clipboard ? studio.updateItem(itemId, structuredClone(clipboard)) : Promise.resolve();
}

/** What the menu needs besides the item: its scene, the canvas and the source's size when known. */
export interface MenuContext {
  studio: Studio;
  scene: Readonly<Scene>;
  canvas: Readonly<Size>;
  sourceSize: Readonly<Size> | null;
  /** Called after the item was removed (the selection is cleared). */
  removed: () => void;
  report: Report;
}

/** The context menu of an item on the preview. A locked item offers only order, copy, unlock and remove. */
export function itemMenu(item: Readonly<SceneItem>, c: MenuContext): MenuEntry[] {
  const { studio, scene, canvas, report } = c;
  const run = (p: Promise<unknown>) => { p.catch(report); };
  const edit = (patch: ItemPatch) => () => run(studio.updateItem(item.id, patch));
  const index = scene.items.findIndex((i) => i.id === item.id), count = scene.items.length;
  const order = (a: 'up' | 'down' | 'top' | 'bottom') => () => run(studio.reorderItem(item.id, orderIndex(a, index, count)));
  const locked = item.locked;
  return [
    { label: 'Fit to canvas', action: edit(fitToCanvas(item, canvas)), disabled: locked },
    { label: 'Stretch to canvas', action: edit(stretchToCanvas(item, canvas)), disabled: locked },
    { label: 'Centre on canvas', action: edit(centreOnCanvas(item, canvas)), disabled: locked },
    'separator',
    { label: 'Move up', action: order('up'), disabled: index >= count - 1 },
    { label: 'Move down', action: order('down'), disabled: index <= 0 },
    { label: 'Move to top', action: order('top'), disabled: index >= count - 1 },
    { label: 'Move to bottom', action: order('bottom'), disabled: index <= 0 },
    'separator',
    { label: 'Flip horizontal', action: edit(flipPatch(item, 'h')), disabled: locked },
    { label: 'Flip vertical', action: edit(flipPatch(item, 'v')), disabled: locked },
    'separator',
    { label: 'Reset transform', action: edit(resetTransform(canvas, c.sourceSize)), disabled: locked },
    { label: 'Copy transform', action: () => copyItemTransform(item) },
    { label: 'Paste transform', action: () => run(pasteItemTransform(studio, item.id)), disabled: locked || !hasCopiedTransform() },
    'separator',
    { label: locked ? 'Unlock' : 'Lock', action: edit({ locked: !locked }) },
    { label: 'Remove', action: () => { run(studio.removeItem(item.id)); c.removed(); } },
  ];
}
