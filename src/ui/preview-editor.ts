/**
 * Direct manipulation of scene items on the preview: click selects (Alt-click: the item
 * beneath), drag moves, handles resize (Shift frees the aspect), the round handle rotates (Shift:
 * 15° steps), Alt-drag on a handle crops; edges snap with guides. Arrow keys nudge, Delete
 * removes, Ctrl+C / Ctrl+V copy and paste a transform, and the context menu arranges. Every edit
 * goes through the studio API; a whole drag is one undo step and sends at most one update per
 * animation frame. The geometry lives in src/scene/manipulate.ts; this file is events and state.
 */
import type { Studio } from '../studio.ts';
import type { Point, Size } from '../scene/layout.ts';
import type { ItemPatch } from '../scene/schema.ts';
import type { Scene, SceneItem } from '../scene/types.ts';
import { boxBounds, containsPoint, cropBox, handleAt, itemsAt, moveBox, pickItem, resizeBox, rotateBox, rotateHandlePoint, type Box, type Handle } from '../scene/manipulate.ts';
import { snapTargets, type Guide, type SnapContext } from '../scene/snap.ts';
import { h } from './dom.ts';
import { batched } from './keyed-list.ts';
import type { Selection } from './selection.ts';
import type { SnapSettings } from './snap-settings.ts';
import { openContextMenu } from './context-menu.ts';
import { copyItemTransform, itemMenu, pasteItemTransform } from './preview-commands.ts';
import './preview-editor.css';
import { HANDLE_HIT, handleCursor, OverlayView, ROTATE_GAP, toClient, toProgram, viewMap, type ViewMap } from './preview-overlay.ts';

type Report = (e: unknown) => void;

export interface PreviewEditorOptions {
  /** The scene shown in the preview (studio mode passes its preview scene); the program's scene by default. */
  sceneId?: () => string;
  /** Snapping settings, read at the start of each drag. */
  snap: SnapSettings;
  report: Report;
}

type Kind = 'move' | 'resize' | 'crop' | 'rotate';
const LABELS: Record<Kind, string> = { move: 'Move item', resize: 'Resize item', crop: 'Crop item', rotate: 'Rotate item' };
/** CSS pixels the pointer must travel before a press becomes a drag (a click does not edit). */
const DRAG_THRESHOLD = 3;

interface Gesture {
  kind: Kind;
  handle: Handle | null;
  /** The item when the drag began; every frame is computed from it and the pointer's travel. */
  start: SceneItem;
  from: Point;
  to: Point;
  clientFrom: Point;
  shift: boolean;
  snap: SnapContext | null;
  started: boolean;
  frame: number;
  box: Box | null;
  guides: Guide[];
}

/** The editor's handle: `destroy` removes the overlay and its listeners. */
export interface PreviewEditor { readonly overlay: HTMLElement; destroy(): void }

/** Mounts the editing overlay over `canvas` inside `host` (the preview box). */
export function mountPreviewEditor(host: HTMLElement, canvas: HTMLElement, studio: Studio, selection: Selection, opts: PreviewEditorOptions): PreviewEditor {
  const sceneId = opts.sceneId ?? (() => studio.currentScene);
  const status = h('div', { id: 'preview-editor-status', class: 'visually-hidden', 'aria-live': 'polite' });
  const overlay = h('div', {
    id: 'preview-editor', class: 'preview-editor', tabindex: '0', role: 'application', 'aria-roledescription': 'scene editor',
    'aria-label': 'Preview editor: click an item to select it, drag to move it; arrow keys nudge, Delete removes, the context menu key arranges',
    'aria-describedby': 'preview-editor-status',
  });
  host.append(overlay, status);
  const view = new OverlayView(overlay);
  const sizes = new Map<string, Size>();
  let gesture: Gesture | null = null;
  let hover: string | null = null;
  /** The last update sent; the edit group closes after it has been applied. */
  let lastEdit: Promise<void> = Promise.resolve();

  const scene = (): Readonly<Scene> | null => studio.scenes.scenes.find((s) => s.id === sceneId()) ?? null;
  const output = (): Size => studio.scenes.output;
  const map = (): ViewMap => viewMap(canvas, output());
  const selected = (sc = scene()): SceneItem | null => sc?.items.find((i) => i.id === selection.itemId) ?? null;
  const edit = (itemId: string, patch: ItemPatch) => { lastEdit = studio.updateItem(itemId, patch).catch(opts.report); return lastEdit; };

  /** The rotate handle's offset above the box (canvas px): above, else below, else just inside, whichever shows. */
  function rotateOffset(b: Box, m: ViewMap): number {
    const gap = ROTATE_GAP / m.scale;
    const o = overlay.getBoundingClientRect();
    for (const off of [gap, -(b.height + gap), -gap]) {
      const [x, y] = toClient(m, rotateHandlePoint(b, off));
      if (x >= o.left && x <= o.right && y >= o.top && y <= o.bottom) return off;
    }
    return -gap;
  }

  function draw(): void {
    const m = map(), sc = scene(), sel = selected(sc);
    const box = gesture?.box ?? (sel?.visible ? sel : null);
    const hov = hover && hover !== sel?.id ? sc?.items.find((i) => i.id === hover && i.visible) ?? null : null;
    const editable = !!sel && !sel.locked;
    view.draw({ box, editable, hover: hov, guides: gesture?.guides ?? [], rotateOffset: box ? rotateOffset(box, m) : 0, canvas: output() }, m);
  }
  const redraw = batched(draw);

  function announce(): void {
    const sel = selected();
    const name = sel ? studio.scenes.sources.find((s) => s.id === sel.sourceId)?.name ?? 'Item' : '';
    const r = (n: number) => Math.round(n * 10) / 10;
    const text = sel ? `${name} selected${sel.locked ? ' (locked)' : ''}: x ${r(sel.x)}, y ${r(sel.y)}, ${r(sel.width)} × ${r(sel.height)}, ${r(sel.rotation)}°` : '';
    // Source status changes also fire 'scenes'; rewriting the same text would be read out again.
    if (status.textContent !== text) status.textContent = text;
  }

  /** Source sizes for cropping and reset come from the render worker's stats. */
  function refreshSizes(): Promise<void> {
    return studio.getStats().then((s) => {
      for (const src of s.render?.sources ?? []) if (src.width > 0 && src.height > 0) sizes.set(src.id, { width: src.width, height: src.height });
      if (gesture?.started) schedule(gesture);
    }, () => {});
  }

  /** The edit a gesture makes now: the patch to send, the box to draw and its guides (null: nothing yet). */
  function compute(g: Gesture): { patch: ItemPatch; box: Box; guides: Guide[] } | null {
    const d: Point = [g.to[0] - g.from[0], g.to[1] - g.from[1]];
    const s = g.start;
    switch (g.kind) {
      case 'move': {
        const e = moveBox(s, d, g.snap);
        return { patch: { x: e.box.x, y: e.box.y }, ...e };
      }
      case 'resize': {
        const e = resizeBox(s, g.handle!, d, { keepAspect: !g.shift, snap: g.snap });
        return { patch: { x: e.box.x, y: e.box.y, width: e.box.width, height: e.box.height }, ...e };
      }
      case 'rotate': {
        const rotation = rotateBox(s, g.from, g.to, g.shift ? 15 : 0);
        return { patch: { rotation }, box: { ...s, rotation }, guides: [] };
      }
      case 'crop': {
        const size = sizes.get(s.sourceId);
        const e = size ? cropBox(s, size, g.handle!, d, g.snap) : null;
        return e ? { patch: e.patch, box: { ...s, ...e.patch }, guides: e.guides } : null;
      }
    }
  }

  function step(g: Gesture): void {
    g.frame = 0;
    const r = compute(g);
    if (!r) return;
    g.box = r.box;
    g.guides = r.guides;
    void edit(g.start.id, r.patch);
    draw();
  }
  function schedule(g: Gesture): void { if (!g.frame) g.frame = requestAnimationFrame(() => step(g)); }

  function finish(keep: boolean): void {
    const g = gesture;
    if (!g) return;
    if (g.frame) cancelAnimationFrame(g.frame);
    g.frame = 0;
    if (g.started) {
      if (keep) step(g);
      else { const { x, y, width, height, rotation, crop } = g.start; void edit(g.start.id, { x, y, width, height, rotation, crop }); }
      void lastEdit.finally(() => studio.endEditGroup());
    }
    gesture = null;
    draw();
    announce();
  }

  function snapFor(sc: Readonly<Scene>, item: SceneItem, m: ViewMap): SnapContext | null {
    if (!opts.snap.enabled) return null;
    const others = sc.items.filter((i) => i.visible && i.id !== item.id).map(boxBounds);
    return { targets: snapTargets(output(), others), distance: opts.snap.distance / m.scale };
  }

  function onPointerDown(ev: PointerEvent): void {
    if (ev.button !== 0 || gesture) return;
    overlay.focus({ preventScroll: true });
    const sc = scene();
    if (!sc) return;
    const m = map(), p = toProgram(m, ev.clientX, ev.clientY);
    let target = selected(sc);
    let kind: Kind | null = null, handle: Handle | null = null;
    if (target && target.visible && !target.locked) {
      const hit = handleAt(target, p, HANDLE_HIT / m.scale, rotateOffset(target, m));
      if (hit === 'rotate') kind = 'rotate';
      else if (hit) { kind = ev.altKey ? 'crop' : 'resize'; handle = hit; }
    }
    // A press inside the selected item keeps it (it can be dragged from under another); Alt picks the one beneath.
    if (!kind && !(target && target.visible && !ev.altKey && containsPoint(target, p))) {
      const id = pickItem(sc.items, p, selection.itemId, ev.altKey);
      selection.set(id);
      target = sc.items.find((i) => i.id === id) ?? null;
    }
    if (!target || target.locked) { draw(); return; }
    kind ??= 'move';
    gesture = {
      kind, handle, start: target, from: p, to: p, clientFrom: [ev.clientX, ev.clientY], shift: ev.shiftKey,
      snap: snapFor(sc, target, m), started: false, frame: 0, box: null, guides: [],
    };
    if (kind === 'crop' && !sizes.has(target.sourceId)) void refreshSizes();
    overlay.setPointerCapture(ev.pointerId);
    ev.preventDefault();
  }

  function onPointerMove(ev: PointerEvent): void {
    const m = map(), p = toProgram(m, ev.clientX, ev.clientY);
    const g = gesture;
    if (!g) { updateCursor(p, m); return; }
    g.to = p;
    g.shift = ev.shiftKey;
    if (!g.started) {
      if (Math.hypot(ev.clientX - g.clientFrom[0], ev.clientY - g.clientFrom[1]) < DRAG_THRESHOLD) return;
      g.started = true;
      studio.beginEditGroup(LABELS[g.kind]);
    }
    schedule(g);
  }

  function updateCursor(p: Point, m: ViewMap): void {
    const sc = scene(), sel = selected(sc);
    let cursor = '';
    if (sel && sel.visible && !sel.locked) {
      const hit = handleAt(sel, p, HANDLE_HIT / m.scale, rotateOffset(sel, m));
      if (hit === 'rotate') cursor = 'grab';
      else if (hit) cursor = handleCursor(hit, sel.rotation);
    }
    const top = sc ? itemsAt(sc.items, p)[0] ?? null : null;
    if (!cursor && top) cursor = (sel && containsPoint(sel, p) ? sel : top).locked ? 'default' : 'move';
    overlay.style.cursor = cursor;
    const id = top?.id ?? null;
    if (id !== hover) { hover = id; draw(); }
  }

  function openMenu(item: SceneItem, x: number, y: number): void {
    const sc = scene();
    if (!sc) return;
    const sourceSize = sizes.get(item.sourceId) ?? null;
    openContextMenu(x, y, itemMenu(item, {
      studio, scene: sc, canvas: output(), sourceSize, report: opts.report, removed: () => selection.set(null),
    }), 'Item on the preview', overlay);
  }

  function onContextMenu(ev: MouseEvent): void {
    ev.preventDefault();
    const sc = scene();
    if (!sc || gesture) return;
    const p = toProgram(map(), ev.clientX, ev.clientY);
    let item = selected(sc);
    if (!item || !containsPoint(item, p)) {
      const id = pickItem(sc.items, p, null, false);
      selection.set(id);
      item = sc.items.find((i) => i.id === id) ?? null;
    }
    overlay.focus({ preventScroll: true });
    if (item) { void refreshSizes(); openMenu(item, ev.clientX, ev.clientY); }
  }

  function onKeyDown(ev: KeyboardEvent): void {
    if (gesture) {
      if (ev.key === 'Escape') { finish(false); ev.preventDefault(); } else if (ev.key === 'Shift') { gesture.shift = true; if (gesture.started) schedule(gesture); }
      return;
    }
    const item = selected();
    if (!item) return;
    const mod = ev.ctrlKey || ev.metaKey;
    const arrows: Record<string, Point> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const dir = arrows[ev.key];
    if (dir && !mod && !ev.altKey) {
      const n = ev.shiftKey ? 10 : 1;
      if (!item.locked) void edit(item.id, { x: item.x + dir[0] * n, y: item.y + dir[1] * n }).then(announce);
    } else if ((ev.key === 'Delete' || ev.key === 'Backspace') && !mod) {
      if (item.locked) return;
      studio.removeItem(item.id).catch(opts.report);
      selection.set(null);
    } else if (mod && !ev.altKey && ev.key.toLowerCase() === 'c') {
      copyItemTransform(item);
    } else if (mod && !ev.altKey && ev.key.toLowerCase() === 'v') {
      if (!item.locked) pasteItemTransform(studio, item.id).then(announce, opts.report);
    } else if (ev.key === 'ContextMenu' || (ev.shiftKey && ev.key === 'F10')) {
      const m = map();
      const [x, y] = toClient(m, [item.x + item.width / 2, item.y + item.height / 2]);
      void refreshSizes();
      openMenu(item, x, y);
    } else if (ev.key === 'Escape') {
      selection.set(null);
    } else return;
    ev.preventDefault();
  }

  function onKeyUp(ev: KeyboardEvent): void {
    if (gesture && ev.key === 'Shift') { gesture.shift = false; if (gesture.started) schedule(gesture); }
  }

  const onSelection = () => { draw(); announce(); };
  const onScenes = () => { redraw(); if (!gesture) announce(); };
  overlay.addEventListener('pointerdown', onPointerDown);
  overlay.addEventListener('pointermove', onPointerMove);
  overlay.addEventListener('pointerup', () => finish(true));
  overlay.addEventListener('pointercancel', () => finish(true));
  overlay.addEventListener('pointerleave', () => { if (!gesture && hover) { hover = null; draw(); } });
  overlay.addEventListener('contextmenu', onContextMenu);
  overlay.addEventListener('keydown', onKeyDown);
  overlay.addEventListener('keyup', onKeyUp);
  selection.addEventListener('change', onSelection);
  studio.addEventListener('scenes', onScenes);
  const resize = new ResizeObserver(redraw);
  resize.observe(overlay);
  resize.observe(canvas);
  draw();
  return {
    overlay,
    destroy() {
      finish(false);
      resize.disconnect();
      selection.removeEventListener('change', onSelection);
      studio.removeEventListener('scenes', onScenes);
      overlay.remove();
      status.remove();
    },
  };
}
