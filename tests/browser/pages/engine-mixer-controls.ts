/**
 * The studio facade's audio controls (MixerControls) over a bare AudioEngine, for pages that
 * mount the mixer panel without a Studio (no GPU, no workers). Only file sources can be added.
 */
import type { AudioEngine, AudioLevels, AudioSourceInfo, AudioSourceSettings, AudioStateEvent, MasterSettings } from '../../../src/audio/audio-engine.ts';
import type { AddAudioSource, MixerControls } from '../../../src/studio/audio-hub.ts';

export class EngineMixerControls extends EventTarget implements MixerControls {
  constructor(private readonly engine: AudioEngine) {
    super();
    // Re-sent under the facade's event names and shapes, as Studio does through AudioHub.
    engine.addEventListener('sourceschange', () => this.dispatchEvent(new CustomEvent('audiosources')));
    engine.addEventListener('statechange', (e) => {
      const ev = e as AudioStateEvent;
      this.dispatchEvent(new CustomEvent('audiostate', { detail: { state: ev.state, message: ev.message } }));
    });
    engine.addEventListener('error', (e) => this.dispatchEvent(new CustomEvent('error', { detail: (e as ErrorEvent).error })));
  }

  get audioState(): AudioEngine['state'] { return this.engine.state; }
  async listAudioSources(): Promise<AudioSourceInfo[]> { return this.engine.listSources(); }
  async addAudioSource(src: AddAudioSource): Promise<AudioSourceInfo> {
    if (src.kind !== 'file') throw new Error('This test page adds only audio files.');
    return this.engine.addSource('file', src.file, src.label);
  }
  async removeAudioSource(id: string): Promise<void> { this.engine.removeSource(id); }
  async setAudio(id: string, s: AudioSourceSettings): Promise<AudioSourceInfo | MasterSettings> {
    return id === 'master' ? this.engine.setMaster({ gainDb: s.gainDb, muted: s.muted }) : this.engine.setSource(id, s);
  }
  async getMasterAudio(): Promise<MasterSettings> { return this.engine.getMaster(); }
  audioLevelsNow(): AudioLevels { return this.engine.getLevels(); }
  resumeAudio(): void { this.engine.resumeOnGesture(); }
}
