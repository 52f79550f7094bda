import { h } from './dom.ts';
import { batched } from './keyed-list.ts';
import type { Studio } from '../studio.ts';
import type { OutputSettings } from '../scene/types.ts';

type Report = (e: unknown) => void;

/** The program sizes and rates offered (OBS's common canvases). */
export const OUTPUT_PRESETS: readonly OutputSettings[] = [
  { width: 1280, height: 720, frameRate: 30 }, { width: 1920, height: 1080, frameRate: 30 },
  { width: 1920, height: 1080, frameRate: 60 }, { width: 3840, height: 2160, frameRate: 30 },
  { width: 640, height: 480, frameRate: 30 },
];
const key = (o: OutputSettings) => `${o.width}x${o.height}@${o.frameRate}`;
const text = (o: OutputSettings) => `${o.width}×${o.height}, ${o.frameRate} fps`;

/** Downloads `blob` as `name` through a temporary link. */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Output settings (program size and frame rate, fixed while recording) and the scene
 * collection's export to JSON and import from it; a rejected import changes nothing and its
 * reason goes to the banner.
 */
export function mountOutput(root: HTMLElement, studio: Studio, report: Report): void {
  const select = h('select', { id: 'output-preset', 'aria-label': 'Output size and frame rate' });
  const note = h('p', { class: 'hint-inline', id: 'output-note', hidden: true, text: 'The output cannot change while recording.' });
  select.addEventListener('change', () => {
    const o = OUTPUT_PRESETS.find((p) => key(p) === select.value);
    if (o) studio.setOutput({ ...o }).catch((e) => { report(e); render(); });
  });
  const exportBtn = h('button', { type: 'button', id: 'scenes-export', onclick: () => {
    const json = JSON.stringify(studio.getSceneCollection(), null, 2);
    download(new Blob([json], { type: 'application/json' }), 'backdrop-scenes.json');
  } }, 'Export scenes');
  const picker = h('input', { type: 'file', accept: 'application/json,.json', class: 'visually-hidden', tabindex: '-1', 'aria-label': 'Scene collection file to import' });
  picker.addEventListener('change', async () => {
    const f = picker.files?.[0];
    picker.value = '';
    if (!f) return;
    try { await studio.loadSceneCollection(await f.text()); } catch (e) { report(e); }
  });
  const importBtn = h('button', { type: 'button', id: 'scenes-import', onclick: () => picker.click() }, 'Import scenes…');

  function render(): void {
    const out = studio.scenes.output;
    // A collection imported with another canvas shows as its own entry rather than a wrong preset.
    const options = OUTPUT_PRESETS.some((p) => key(p) === key(out)) ? OUTPUT_PRESETS : [...OUTPUT_PRESETS, out];
    if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== key(options[i]!))) {
      select.replaceChildren(...options.map((o) => h('option', { value: key(o), text: text(o) })));
    }
    select.value = key(out);
    const recording = studio.recordingState !== 'idle';
    select.disabled = recording;
    note.hidden = !recording;
  }
  root.append(h('label', { class: 'field' }, h('span', { text: 'Canvas' }), select), note,
    h('div', { class: 'dock-tools' }, exportBtn, importBtn, picker));
  const schedule = batched(render);
  studio.addEventListener('scenes', schedule);
  studio.addEventListener('state', schedule);
  render();
}
