/** A row of a keyed list: its element and how to show new data in it. */
export interface KeyedRow<T> { el: HTMLElement; update(v: T): void }

/**
 * Keeps `parent`'s children in step with a list of data. Rows are made once per key and updated
 * in place, so a re-render on every state change keeps focus, open menus and inline edits.
 */
export function keyedList<T>(parent: HTMLElement, key: (v: T) => string, make: (v: T) => KeyedRow<T>): (items: readonly T[]) => void {
  const rows = new Map<string, KeyedRow<T>>();
  return (items) => {
    const focused = document.activeElement as HTMLElement | null;
    const seen = new Set<string>();
    items.forEach((v, i) => {
      const k = key(v);
      seen.add(k);
      let row = rows.get(k);
      if (!row) { row = make(v); rows.set(k, row); }
      row.update(v);
      const at = parent.children[i];
      if (at !== row.el) parent.insertBefore(row.el, at ?? null);
    });
    for (const [k, row] of rows) if (!seen.has(k)) { row.el.remove(); rows.delete(k); }
    // Moving a row (reorder) blurs the button that moved it; give the focus back.
    if (focused && focused !== document.activeElement && focused.isConnected && parent.contains(focused)) focused.focus();
  };
}

/** Coalesces calls into one per microtask: a burst of state events renders once. */
export function batched(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => { queued = false; fn(); });
  };
}
