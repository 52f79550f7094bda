import { h } from './dom.ts';
import { saveAs } from './recordings-panel.ts';
import type { Studio } from '../studio.ts';
import type { BackgroundEffect } from '../segment/background-effect.ts';
import { loadMaskOptions } from '../segment/effect-store.ts';
import { formatEta, type ProcessProgress } from '../process/progress.ts';
import { isStillImage } from '../studio/file-processor.ts';

type Report = (e: unknown) => void;
type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

interface Job { file: File; state: JobState; ctl: AbortController; row: HTMLLIElement; bar: HTMLProgressElement; info: HTMLSpanElement; action: HTMLButtonElement }

const isMedia = (f: File) => f.type.startsWith('video/') || isStillImage(f) || /\.(mp4|m4v|mov|webm|mkv)$/i.test(f.name);

/** Every file in a dropped folder (and its sub-folders). */
async function filesOf(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) return [await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej))];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const out: File[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (!batch.length) return out;
    for (const e of batch) out.push(...(await filesOf(e)));
  }
}

/**
 * "Process files": videos (and folders of stills) chosen or dropped here get their background
 * removed one after another with the chosen background; each row shows progress, frames per
 * second and time left, and can be cancelled. Videos land in the recordings list; stills
 * become PNG cut-outs saved from their row.
 */
export function mountProcessPanel(before: HTMLElement, studio: Studio, report: Report): void {
  const section = h('section', { id: 'process', class: 'panel', 'aria-labelledby': 'process-h' }, h('h2', { id: 'process-h', text: 'Process files' }));
  before.before(section);
  const bgSelect = h('select', { id: 'process-bg', 'aria-label': 'Background for processed files' },
    ...([['blur', 'Blur'], ['color', 'Colour'], ['image', 'Image'], ['transparent', 'Transparent (WebM)']] as const).map(([v, t]) => h('option', { value: v, text: t })));
  const color = h('input', { type: 'color', value: '#00ff00', 'aria-label': 'Background colour', hidden: true });
  const image = h('input', { type: 'file', accept: 'image/*', 'aria-label': 'Background image', hidden: true });
  const format = h('select', { id: 'process-format', 'aria-label': 'Output format' },
    h('option', { value: 'mp4', text: 'MP4' }), h('option', { value: 'webm', text: 'WebM' }));
  const pick = h('input', { type: 'file', multiple: true, accept: 'video/*,image/*', hidden: true, id: 'process-files', 'aria-label': 'Video files or pictures to process' });
  const pickDir = h('input', { type: 'file', multiple: true, hidden: true, webkitdirectory: true, 'aria-label': 'Folder of pictures to process' });
  const list = h('ul', { class: 'rec-list', id: 'process-list', 'aria-live': 'polite' });
  const hint = h('p', { class: 'hint-inline', text: 'Choose or drop videos (or a folder of pictures): the background is removed faster than real time on a GPU, nothing is dropped.' });
  section.append(
    h('div', { class: 'knob' }, h('label', { for: 'process-bg', text: 'Background' }), bgSelect, color),
    h('div', { class: 'knob' }, h('label', { for: 'process-format', text: 'Format' }), format, image),
    h('div', { class: 'controls' },
      h('button', { type: 'button', onclick: () => pick.click() }, 'Choose files…'),
      h('button', { type: 'button', onclick: () => pickDir.click() }, 'Choose folder…'), pick, pickDir),
    hint, list,
  );
  const syncControls = () => {
    color.hidden = bgSelect.value !== 'color';
    image.hidden = bgSelect.value !== 'image';
    // Alpha needs VP9 in WebM.
    if (bgSelect.value === 'transparent') format.value = 'webm';
    format.disabled = bgSelect.value === 'transparent';
  };
  bgSelect.addEventListener('change', syncControls);
  syncControls();

  const background = (): BackgroundEffect => {
    switch (bgSelect.value) {
      case 'color': return { type: 'color', color: color.value };
      case 'image': return { type: 'image', image: image.files?.[0] };
      case 'transparent': return { type: 'transparent' };
      default: return { type: 'blur' };
    }
  };

  const jobs: Job[] = [];
  let running = false;
  const show = (job: Job, state: JobState, text: string) => {
    job.state = state;
    job.info.textContent = text;
    job.row.dataset.state = state;
    job.action.textContent = state === 'queued' || state === 'running' ? 'Cancel' : 'Remove';
  };
  const progressText = (p: ProcessProgress) =>
    `${p.frames}/${p.totalFrames} frames · ${p.fps.toFixed(1)} fps · ETA ${formatEta(p.etaS)}`;

  const runNext = async () => {
    if (running) return;
    const job = jobs.find((j) => j.state === 'queued');
    if (!job) return;
    running = true;
    show(job, 'running', 'Starting…');
    try {
      const bg = background();
      if (bg.type === 'image' && !bg.image) throw new Error('Choose a background image first.');
      const out = await studio.processFile(job.file, {
        background: bg, container: format.value as 'mp4' | 'webm', maskOptions: loadMaskOptions() ?? undefined, signal: job.ctl.signal,
        onProgress: (p) => { job.bar.max = Math.max(1, p.totalFrames); job.bar.value = p.frames; job.info.textContent = progressText(p); },
      });
      job.bar.value = job.bar.max;
      if (out.type.startsWith('image/')) {
        show(job, 'done', `Cut out: ${out.name}`);
        job.row.append(h('button', { type: 'button', onclick: () => saveAs(out).catch((e) => { if ((e as Error).name !== 'AbortError') report(e); }) }, 'Save…'));
      } else {
        const r = studio.lastProcessResult;
        show(job, 'done', `Saved as ${out.name}${r ? ` · ${r.frames} frames · ${r.realTimeFactor.toFixed(2)}× real time` : ''} (in Recordings)`);
      }
    } catch (e) {
      const cancelled = (e as Error).name === 'ProcessCancelledError';
      show(job, cancelled ? 'cancelled' : 'failed', (e as Error).message);
      if (!cancelled) report(e);
    } finally {
      running = false;
      void runNext();
    }
  };

  const add = (files: File[]) => {
    for (const file of files.filter(isMedia)) {
      const bar = h('progress', { max: 1, value: 0, 'aria-label': `Progress of ${file.name}` });
      const info = h('span', { class: 'meta', text: 'Queued' });
      const action = h('button', { type: 'button', 'aria-label': `Cancel ${file.name}` }, 'Cancel');
      const row = h('li', {}, h('span', { class: 'name', text: file.name }), bar, info, action);
      const job: Job = { file, state: 'queued', ctl: new AbortController(), row, bar, info, action };
      action.addEventListener('click', () => {
        if (job.state === 'queued') show(job, 'cancelled', 'Cancelled');
        else if (job.state === 'running') job.ctl.abort();
        else { row.remove(); jobs.splice(jobs.indexOf(job), 1); }
      });
      jobs.push(job);
      list.append(row);
    }
    void runNext();
  };
  pick.addEventListener('change', () => { add([...(pick.files ?? [])]); pick.value = ''; });
  pickDir.addEventListener('change', () => { add([...(pickDir.files ?? [])]); pickDir.value = ''; });
  section.addEventListener('dragover', (ev) => { ev.preventDefault(); section.classList.add('drop'); });
  section.addEventListener('dragleave', () => section.classList.remove('drop'));
  section.addEventListener('drop', (ev) => {
    ev.preventDefault();
    section.classList.remove('drop');
    const entries = [...(ev.dataTransfer?.items ?? [])].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
    void Promise.all(entries.map(filesOf)).then((all) => add(all.flat()), report);
  });
}
