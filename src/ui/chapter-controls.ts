import { h, formatDuration } from './dom.ts';
import type { Studio } from '../studio.ts';

/** Whether a key press belongs to a field being typed in (so "M" types an M there). */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  return el.isContentEditable || el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}

/**
 * The "Chapter" button beside Pause and the M key: each marks a chapter at the time recorded
 * so far. The button shows the last marker for a moment.
 */
export function mountChapterControls(root: HTMLElement, studio: Studio, report: (e: unknown) => void): void {
  const button = h('button', { type: 'button', id: 'chapter-button', title: 'Mark a chapter (M)', hidden: true }, 'Chapter');
  const pause = root.querySelector('#pause-button');
  if (pause) pause.after(button); else root.append(button);
  let resetTimer = 0;
  const mark = () => {
    try {
      const c = studio.addChapter();
      button.textContent = `${c.title} · ${formatDuration(c.timeMs)}`;
      clearTimeout(resetTimer);
      resetTimer = window.setTimeout(() => { button.textContent = 'Chapter'; }, 1500);
    } catch (e) { report(e); }
  };
  button.addEventListener('click', mark);
  document.addEventListener('keydown', (e) => {
    if (e.key.toLowerCase() !== 'm' || e.ctrlKey || e.metaKey || e.altKey || e.repeat || typing(e.target)) return;
    if (studio.recordingState !== 'recording' && studio.recordingState !== 'paused') return;
    e.preventDefault();
    mark();
  });
  const sync = () => { button.hidden = studio.recordingState !== 'recording' && studio.recordingState !== 'paused'; };
  studio.addEventListener('state', sync);
  sync();
}
