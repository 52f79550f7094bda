import { h } from './dom.ts';

/** The alert line at the top: shows one message in words, with a dismiss button. */
export class Banner {
  constructor(private readonly el: HTMLElement) {}
  private current: string | null = null;

  /** Shows `message` (replacing any earlier one). */
  show(message: string): void {
    this.current = message;
    this.el.replaceChildren(h('span', { text: message }), h('button', { type: 'button', 'aria-label': 'Dismiss message', onclick: () => this.hide() }, 'Dismiss'));
    this.el.hidden = false;
  }
  /** Hides the banner. */
  hide(): void { this.current = null; this.el.hidden = true; this.el.replaceChildren(); }
  /** Hides the banner only if it still shows `message`. */
  hideIf(message: string): void { if (this.current === message) this.hide(); }
}
