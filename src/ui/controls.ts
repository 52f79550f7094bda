import { h, formatDuration } from './dom.ts';
import type { Studio } from '../studio.ts';
import type { ContainerName, VideoCodecName } from '../util/types.ts';

/** Camera picker, camera and record buttons with the recording timer, codec and container choice. */
export function mountControls(root: HTMLElement, studio: Studio, report: (e: unknown) => void): void {
  const camSelect = h('select', { 'aria-label': 'Camera', id: 'camera-select' }, h('option', { value: '', text: 'Default camera' }));
  const camButton = h('button', { type: 'button', class: 'primary', id: 'camera-button' }, 'Start camera');
  const codec = h('select', { 'aria-label': 'Video codec', id: 'codec-select' },
    h('option', { value: '', text: 'Codec: automatic' }), h('option', { value: 'avc', text: 'H.264' }), h('option', { value: 'vp9', text: 'VP9' }),
    h('option', { value: 'av1', text: 'AV1' }), h('option', { value: 'hevc', text: 'HEVC' }));
  const container = h('select', { 'aria-label': 'File format', id: 'container-select' },
    h('option', { value: 'mp4', text: 'MP4' }), h('option', { value: 'webm', text: 'WebM' }));
  const recButton = h('button', { type: 'button', class: 'record', id: 'record-button', 'aria-pressed': 'false', disabled: true }, '● Record');
  const timer = h('span', { class: 'timer', role: 'timer', 'aria-label': 'Recording time', text: '0:00' });
  const pauseButton = h('button', { type: 'button', id: 'pause-button', 'aria-pressed': 'false', hidden: true }, 'Pause');
  pauseButton.addEventListener('click', () => {
    (studio.recordingState === 'paused' ? studio.resumeRecording() : studio.pauseRecording()).catch(report);
  });
  root.append(h('label', {}, 'Camera', camSelect), camButton, codec, container, recButton, pauseButton, timer);

  const refreshCameras = async () => {
    const cams = await studio.listCameras().catch(() => []);
    const current = camSelect.value;
    camSelect.replaceChildren(h('option', { value: '', text: 'Default camera' }),
      ...cams.map((c) => h('option', { value: c.deviceId, text: c.label })));
    camSelect.value = cams.some((c) => c.deviceId === current) ? current : '';
  };
  void refreshCameras();
  navigator.mediaDevices?.addEventListener?.('devicechange', () => void refreshCameras());

  camButton.addEventListener('click', async () => {
    camButton.disabled = true;
    try {
      if (studio.cameraState === 'on') await studio.stopCamera();
      else { await studio.startCamera({ deviceId: camSelect.value || undefined }); await refreshCameras(); }
    } catch (e) { report(e); } finally { camButton.disabled = false; }
  });
  camSelect.addEventListener('change', () => {
    if (studio.cameraState === 'on' && studio.recordingState === 'idle') {
      studio.startCamera({ deviceId: camSelect.value || undefined }).catch(report);
    }
  });
  recButton.addEventListener('click', async () => {
    recButton.disabled = true;
    try {
      if (studio.recordingState === 'recording' || studio.recordingState === 'paused') await studio.stopRecording();
      else await studio.startRecording({ videoCodec: (codec.value || undefined) as VideoCodecName | undefined, container: container.value as ContainerName });
    } catch (e) { report(e); } finally { sync(); }
  });

  const sync = () => {
    const on = studio.cameraState === 'on';
    const rec = studio.recordingState;
    camButton.textContent = on ? 'Stop camera' : studio.cameraState === 'starting' ? 'Starting…' : 'Start camera';
    // The program is recorded whatever it shows: a scene of images or a screen needs no camera.
    recButton.disabled = rec === 'starting' || rec === 'stopping';
    const running = rec === 'recording' || rec === 'paused';
    recButton.textContent = running ? '■ Stop recording' : rec === 'stopping' ? 'Saving…' : '● Record';
    recButton.setAttribute('aria-pressed', String(running));
    pauseButton.hidden = !running;
    pauseButton.textContent = rec === 'paused' ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(rec === 'paused'));
    codec.disabled = container.disabled = rec !== 'idle';
    const hint = document.getElementById('preview-hint');
    // The hint is for an empty studio: any item in the scene shown says it has begun.
    const shown = studio.scenes.scenes.find((sc) => sc.id === studio.editingScene);
    if (hint) hint.hidden = on || (shown?.items.length ?? 0) > 0;
  };
  studio.addEventListener('state', sync);
  studio.addEventListener('scenes', sync);
  setInterval(() => { timer.textContent = formatDuration(studio.recordingElapsedMs); }, 250);
  sync();
}
