/**
 * Which scene item the person selected: shared by the Sources list and the Properties panel.
 * It is UI state only (the API has no notion of selection), so keeping it here copies nothing.
 */
export class Selection extends EventTarget {
  #itemId: string | null = null;

  /** The selected item's id, or null. */
  get itemId(): string | null { return this.#itemId; }

  /** Selects an item (null clears); fires 'change' when it differs. */
  set(itemId: string | null): void {
    if (itemId === this.#itemId) return;
    this.#itemId = itemId;
    this.dispatchEvent(new Event('change'));
  }
}
