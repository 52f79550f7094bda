/**
 * Short unique ids for scene objects. The prefix says what an id names, which helps when one
 * turns up in a log or an error message; 12 hex digits of a random UUID (48 bits) keep
 * collisions negligible for a collection capped at a few thousand objects, and the store checks
 * for a clash anyway.
 */
export type IdPrefix = 'src' | 'scn' | 'itm';

/** A fresh id such as `src-3f9a0c1d2b4e`. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}-${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/** A fresh id with `prefix` that is not in `taken` (retries on the astronomically rare clash). */
export function uniqueId(prefix: IdPrefix, taken: (id: string) => boolean): string {
  for (;;) {
    const id = newId(prefix);
    if (!taken(id)) return id;
  }
}
