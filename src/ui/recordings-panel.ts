import { h, formatBytes, formatDuration } from './dom.ts';
import type { Studio } from '../studio.ts';

type SavePicker = (opts: { suggestedName: string; types?: { description: string; accept: Record<string, string[]> }[] }) => Promise<FileSystemFileHandle>;

/** Saves a recording with the File System Access picker, or a download link where it is missing. */
export async function saveAs(file: File): Promise<void> {
  const picker = (window as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  if (picker) {
    const ext = file.name.split('.').pop() ?? 'mp4';
    const handle = await picker({ suggestedName: file.name, types: [{ description: 'Video', accept: { [`video/${ext}`]: [`.${ext}`] } }] });
    const w = await handle.createWritable();
    await file.stream().pipeTo(w);
    return;
  }
  const url = URL.createObjectURL(file);
  const a = h('a', { href: url, download: file.name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The list of past recordings with "Save as…" and "Delete". */
export function mountRecordings(root: HTMLElement, studio: Studio, report: (e: unknown) => void): void {
  const list = h('ul', { class: 'rec-list', id: 'recordings-list' });
  const empty = h('p', { class: 'hint-inline', text: 'No recordings yet.' });
  root.append(list, empty);
  const refresh = async () => {
    const recs = await studio.listRecordings().catch(() => []);
    empty.hidden = recs.length > 0;
    list.replaceChildren(...recs.map((r) => h('li', {},
      h('span', { class: 'name', text: r.name }),
      h('span', { class: 'meta', text: [formatDuration(r.durationMs), formatBytes(r.size), new Date(r.lastModified).toLocaleString(),
        r.chapters.length ? `${r.chapters.length} chapter${r.chapters.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ') }),
      r.recovered ? h('span', { class: 'badge', title: 'The recording was interrupted (the browser closed or crashed) and was finished on the next start.', text: 'recovered' }) : null,
      r.fragmented ? h('span', { class: 'badge', title: 'Kept as a fragmented MP4: making a regular copy failed. Most players open it.', text: 'fragmented' }) : null,
      h('button', { type: 'button', 'aria-label': `Save ${r.name} as…`, onclick: async () => {
        try { await saveAs(await studio.getRecording(r.name)); } catch (e) { if ((e as Error).name !== 'AbortError') report(e); }
      } }, 'Save as…'),
      h('button', { type: 'button', 'aria-label': `Delete ${r.name}`, onclick: async () => {
        if (!confirm(`Delete ${r.name}?`)) return;
        try { await studio.deleteRecording(r.name); } catch (e) { report(e); }
        void refresh();
      } }, 'Delete'),
    )));
  };
  studio.addEventListener('recording', () => void refresh());
  void refresh();
}
