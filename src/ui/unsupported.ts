import { h } from './dom.ts';

/** Replaces the studio with a page that says why it cannot run and what to do instead. */
export function showUnsupported(app: HTMLElement, title: string, message: string): void {
  app.replaceChildren(h('section', { class: 'unsupported', role: 'alert', 'aria-labelledby': 'unsupported-h' },
    h('h2', { id: 'unsupported-h', text: title }),
    h('p', { text: message }),
    h('p', { text: 'Your camera was not opened and nothing was recorded. Recordings made earlier are still stored in this browser.' }),
  ));
}
