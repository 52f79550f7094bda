import { h } from './dom.ts';
import type { Studio } from '../studio.ts';
import type { TransitionKind } from '../scene/types.ts';

type Report = (e: unknown) => void;

const QUICK: [TransitionKind, string][] = [['cut', 'Cut'], ['fade', 'Fade'], ['slide', 'Slide'], ['swipe', 'Swipe']];

/**
 * Studio mode (OBS's): the main canvas (where the mouse editor works) previews the scene being
 * edited, the program moves to a second canvas beside it; "Transition" sends the preview to the
 * program, quick buttons do so with one kind. `mainBox` is the box of the main canvas.
 */
export function mountStudioMode(toolbar: HTMLElement, mainBox: HTMLElement, studio: Studio, report: Report): void {
  const toggle = h('button', { type: 'button', id: 'studio-mode', 'aria-pressed': 'false', text: 'Studio mode' });
  toolbar.append(toggle);
  const previewLabel = h('p', { class: 'view-label', id: 'preview-label' });
  const programLabel = h('p', { class: 'view-label', id: 'program-label' });
  let views: HTMLElement | null = null;

  const build = () => {
    if (views) return;
    const canvas = studio.studioProgramCanvas;
    canvas.id = 'studio-program';
    canvas.setAttribute('aria-label', 'Program: what is recorded');
    const go = h('button', { type: 'button', id: 'transition-go', class: 'primary', text: 'Transition ▶', 'aria-label': 'Transition the preview to the program' });
    go.addEventListener('click', () => { studio.transition().catch(report); });
    const quick = QUICK.map(([kind, text]) => h('button', {
      type: 'button', class: 'quick-transition', 'data-kind': kind, text, 'aria-label': `${text} to the program`,
      onclick: () => { studio.transition({ transition: kind, durationMs: studio.scenes.transition?.durationMs ?? 300 }).catch(report); },
    }));
    views = h('div', { class: 'studio-views' });
    mainBox.parentElement!.insertBefore(views, mainBox);
    views.append(h('div', { class: 'view' }, previewLabel, mainBox), h('div', { class: 'transition-column' }, go, ...quick),
      h('div', { class: 'view' }, programLabel, h('div', { class: 'preview-box studio-program-box' }, canvas)));
  };

  const render = () => {
    const on = studio.studioMode;
    toggle.setAttribute('aria-pressed', String(on));
    views?.classList.toggle('off', !on);
    if (!on) return;
    const name = (id: string | null) => studio.scenes.scenes.find((s) => s.id === id)?.name ?? '';
    previewLabel.textContent = `Preview — ${name(studio.previewScene)}`;
    programLabel.textContent = `Program — ${name(studio.currentScene)}`;
  };

  toggle.addEventListener('click', () => {
    const on = !studio.studioMode;
    if (on) build();
    studio.setStudioMode(on).catch(report).finally(render);
  });
  studio.addEventListener('scenes', render);
}
