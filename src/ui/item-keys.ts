/**
 * Moving and resizing the selected item with the keyboard (Sources list): what each key does to
 * the item's box. Pure, tested under Node; the panel applies the patch through the studio.
 *
 *   Arrow keys            move by 1 px (Shift: 10 px)
 *   Ctrl+Arrow keys       resize by 10 px, keeping the aspect ratio: →/← width, ↓/↑ height
 *   Ctrl+Shift+Arrow keys resize only that side by 10 px (aspect ratio free)
 *   + / −                 grow or shrink by 10 px of width, aspect ratio kept
 * The box's top-left corner stays where it is; sizes do not go below 1 px. (Cmd works for Ctrl.)
 */
import type { ItemTransform } from '../scene/types.ts';

/** What the panel needs of a key press. */
export interface ItemKey { key: string; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }

/** A keyboard edit: what it does ('move' or 'resize') and the item patch. */
export interface ItemKeyEdit { kind: 'move' | 'resize'; patch: { x?: number; y?: number; width?: number; height?: number } }

/** Pixels per resize key press. */
export const RESIZE_STEP = 10;

/** The keys this module handles, for aria-keyshortcuts. */
export const ITEM_KEY_SHORTCUTS = [
  'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Shift+ArrowLeft', 'Shift+ArrowRight', 'Shift+ArrowUp', 'Shift+ArrowDown',
  'Control+ArrowLeft', 'Control+ArrowRight', 'Control+ArrowUp', 'Control+ArrowDown',
  'Control+Shift+ArrowLeft', 'Control+Shift+ArrowRight', 'Control+Shift+ArrowUp', 'Control+Shift+ArrowDown', '+', '-', 'Delete', 'Escape',
].join(' ');

const DIR: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** The box after resizing one side by `d` px; `keep` scales the other side with it. */
function resize(t: Pick<ItemTransform, 'width' | 'height'>, side: 'width' | 'height', d: number, keep: boolean): ItemKeyEdit['patch'] {
  const other = side === 'width' ? 'height' : 'width';
  const size = Math.max(1, t[side] + d);
  if (!keep || t[side] <= 0) return { [side]: size };
  return { [side]: size, [other]: Math.max(1, t[other] * (size / t[side])) };
}

/** The edit a key makes to an item's box, or null when the key is not an editing key. */
export function itemKeyEdit(e: ItemKey, t: Pick<ItemTransform, 'x' | 'y' | 'width' | 'height'>): ItemKeyEdit | null {
  if (e.altKey) return null;
  const ctrl = e.ctrlKey || e.metaKey;
  const dir = DIR[e.key];
  if (dir) {
    if (!ctrl) {
      const step = e.shiftKey ? 10 : 1;
      return { kind: 'move', patch: dir[0] ? { x: t.x + dir[0] * step } : { y: t.y + dir[1] * step } };
    }
    const side = dir[0] ? 'width' : 'height';
    return { kind: 'resize', patch: resize(t, side, (dir[0] || dir[1]) * RESIZE_STEP, !e.shiftKey) };
  }
  if (ctrl) return null;
  if (e.key === '+' || e.key === '=') return { kind: 'resize', patch: resize(t, 'width', RESIZE_STEP, true) };
  if (e.key === '-' || e.key === '_') return { kind: 'resize', patch: resize(t, 'width', -RESIZE_STEP, true) };
  return null;
}
