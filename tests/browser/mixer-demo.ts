// Harness for a screenshot of the mixer panel: fake microphone as the first source.
import '../../src/ui/studio.css';
import { AudioEngine } from '../../src/audio/audio-engine.ts';
import { mountMixer } from '../../src/ui/mixer-panel.ts';
import { EngineMixerControls } from './pages/engine-mixer-controls.ts';

const status = document.getElementById('status')!;
const report = (e: unknown) => { status.textContent = `Error: ${e instanceof Error ? e.message : String(e)}`; };

try {
  const engine = await AudioEngine.create();
  (globalThis as unknown as { engine: AudioEngine }).engine = engine;
  const controls = new EngineMixerControls(engine);
  controls.addEventListener('error', (e) => report((e as CustomEvent).detail));
  mountMixer(document.getElementById('mixer')!, controls, report, { capture: false });
  const mic = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  await engine.addSource('microphone', mic, 'Microphone');
  status.textContent = 'ready';
  document.body.dataset.ready = '1';
} catch (e) {
  report(e);
}
