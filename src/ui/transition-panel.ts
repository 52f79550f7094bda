import { h } from './dom.ts';
import type { Studio } from '../studio.ts';
import { DEFAULT_TRANSITION, type TransitionDirection, type TransitionKind, type TransitionSpec } from '../scene/types.ts';

type Report = (e: unknown) => void;

const KINDS: [TransitionKind, string][] = [['cut', 'Cut'], ['fade', 'Fade'], ['slide', 'Slide'], ['swipe', 'Swipe'], ['fade-to-color', 'Fade to colour']];
const DIRECTIONS: [TransitionDirection, string][] = [['left', 'Left'], ['right', 'Right'], ['up', 'Up'], ['down', 'Down']];

/**
 * The transition a scene change uses: the collection's default, or (checkbox) an override for
 * the scene being edited, which applies when switching to that scene. Renders from the studio's
 * state, so API changes show here too.
 */
export function mountTransitions(root: HTMLElement, studio: Studio, report: Report): void {
  const kind = h('select', { id: 'transition-kind', 'aria-label': 'Transition' }, ...KINDS.map(([v, t]) => h('option', { value: v, text: t })));
  const duration = h('input', { type: 'number', id: 'transition-ms', min: 0, max: 10000, step: 50, 'aria-label': 'Transition duration (ms)' });
  const direction = h('select', { id: 'transition-direction', 'aria-label': 'Direction' }, ...DIRECTIONS.map(([v, t]) => h('option', { value: v, text: t })));
  const color = h('input', { type: 'color', id: 'transition-color', 'aria-label': 'Colour to fade through' });
  const override = h('input', { type: 'checkbox', id: 'transition-override' });
  const overrideText = h('span');
  const dirField = h('label', { class: 'inline' }, 'Direction ', direction);
  const colorField = h('label', { class: 'inline' }, 'Colour ', color);
  root.append(h('div', { class: 'transition-panel' },
    h('div', { class: 'row' }, h('label', { class: 'inline' }, 'Transition ', kind), duration, h('span', { class: 'unit', text: 'ms' })),
    h('div', { class: 'row' }, dirField, colorField),
    h('label', { class: 'inline field-check' }, override, overrideText)));

  /** What the fields say now. */
  const spec = (): TransitionSpec => {
    const k = kind.value as TransitionKind;
    const t: TransitionSpec = { kind: k, durationMs: Number.isFinite(duration.valueAsNumber) ? duration.valueAsNumber : DEFAULT_TRANSITION.durationMs };
    if (k === 'slide' || k === 'swipe') t.direction = direction.value as TransitionDirection;
    if (k === 'fade-to-color') t.color = color.value;
    return t;
  };

  const render = () => {
    const c = studio.scenes;
    const scene = c.scenes.find((s) => s.id === studio.editingScene);
    const own = scene?.transition;
    const t = own ?? c.transition ?? DEFAULT_TRANSITION;
    if (document.activeElement !== duration) duration.value = String(t.durationMs);
    kind.value = t.kind;
    direction.value = t.direction ?? 'left';
    color.value = t.color ?? '#000000';
    override.checked = own !== undefined;
    overrideText.textContent = `Only when switching to “${scene?.name ?? ''}”`;
    duration.disabled = t.kind === 'cut';
    dirField.hidden = t.kind !== 'slide' && t.kind !== 'swipe';
    colorField.hidden = t.kind !== 'fade-to-color';
  };

  const save = () => {
    const t = spec();
    const p = override.checked ? studio.setSceneTransition(studio.editingScene, t) : studio.setTransition(t);
    p.catch(report).finally(render);
  };
  for (const el of [kind, duration, direction, color]) el.addEventListener('change', save);
  override.addEventListener('change', () => {
    const p = override.checked ? studio.setSceneTransition(studio.editingScene, spec()) : studio.setSceneTransition(studio.editingScene, null);
    p.catch(report).finally(render);
  });
  studio.addEventListener('scenes', render);
  void studio.ready.then(render, () => {});
}
