import { Studio } from './studio.ts';
import { Banner } from './ui/banner.ts';
import { mountControls } from './ui/controls.ts';
import { mountChapterControls } from './ui/chapter-controls.ts';
import { mountHotkeys } from './ui/hotkeys.ts';
import { mountHotkeysPanel } from './ui/hotkeys-panel.ts';
import { mountUndoControls } from './ui/undo-controls.ts';
import { mountStats } from './ui/stats-panel.ts';
import { mountEffects } from './ui/effects-panel.ts';
import { mountRecordings } from './ui/recordings-panel.ts';
import { mountProcessPanel } from './ui/process-panel.ts';
import { showUnsupported } from './ui/unsupported.ts';
import { mountMixer } from './ui/mixer-panel.ts';
import { mountScenes } from './ui/scenes-panel.ts';
import { mountSources } from './ui/sources-panel.ts';
import { mountProperties } from './ui/properties-panel.ts';
import { mountOutput } from './ui/output-panel.ts';
import { mountStream } from './ui/stream-panel.ts';
import { Selection } from './ui/selection.ts';
import { mountPreviewEditor } from './ui/preview-editor.ts';
import { mountSnapToolbar } from './ui/snap-settings.ts';
import { mountStudioMode } from './ui/studio-mode.ts';
import { WebGPUUnavailableError } from './util/errors.ts';

declare global { interface Window { studio: Studio } }

const $ = (id: string) => document.getElementById(id)!;
const banner = new Banner($('banner'));
const report = (e: unknown) => banner.show(e instanceof Error ? e.message : String(e));

const studio = new Studio($('preview') as HTMLCanvasElement);
window.studio = studio;
studio.addEventListener('error', (ev) => report((ev as CustomEvent).detail));
studio.addEventListener('warning', (ev) => report((ev as CustomEvent<string>).detail));
studio.ready.catch((e) => {
  if (e instanceof WebGPUUnavailableError) showUnsupported($('app'), 'This browser cannot run Backdrop Studio', e.message);
  else report(e);
});
mountControls($('controls'), studio, report);
mountChapterControls($('controls'), studio, report);
const hotkeys = mountHotkeys(studio, report);
mountUndoControls($('controls'), studio, hotkeys, report);
const selection = new Selection();
mountScenes($('scenes'), studio, report);
mountSources($('sources'), studio, selection, report);
mountProperties($('properties'), studio, selection, report);
const previewBox = $('preview').parentElement!;
// In studio mode the main canvas previews the scene being edited, so the editor edits that scene.
mountPreviewEditor(previewBox, $('preview'), studio, selection, { snap: mountSnapToolbar(previewBox), report, sceneId: () => studio.editingScene });
mountStudioMode($('controls'), previewBox, studio, report);
mountOutput($('output'), studio, report);
mountStream($('output'), studio, report);
mountEffects($('effects'), studio, report);
mountStats($('stats'), studio);
mountRecordings($('recordings'), studio, report);
mountProcessPanel($('recordings'), studio, report);
mountHotkeysPanel($('recordings').parentElement!, hotkeys);

// The AudioContext may only run after a user gesture, so the mixer is built on the first click
// or when the studio creates it (camera start, automation).
let mixerMounted = false;
const mountAudio = () => {
  if (mixerMounted) return;
  mixerMounted = true;
  studio.audio().then(() => {
    $('mixer-hint').remove();
    mountMixer($('mixer'), studio, report);
  }, (e) => { mixerMounted = false; report(e); });
};
document.addEventListener('pointerdown', mountAudio, { once: true });
studio.addEventListener('audiosources', mountAudio);
studio.addEventListener('state', () => { if (studio.cameraState === 'on') mountAudio(); });
let audioMessage: string | null = null;
studio.addEventListener('audiostate', (ev) => {
  const { message } = (ev as CustomEvent<{ message: string | null }>).detail;
  if (message) banner.show(message);
  else if (audioMessage) banner.hideIf(audioMessage);
  audioMessage = message;
});
