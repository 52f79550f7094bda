import { StudioStateError, UnsupportedCodecError } from '../util/errors.ts';
import type { ContainerName, VideoCodecName } from '../util/types.ts';
import type { ProcessOptions } from './types.ts';

/** How a job's output is made, decided before anything is written. */
export interface OutputPlan {
  container: ContainerName;
  /** The codec asked for (chooseVideoEncoder picks the default order when undefined). */
  videoCodec: VideoCodecName | undefined;
  /** VP9 colour + alpha in WebM. */
  transparent: boolean;
  /** 'copy': the input's packets as they are; 'encode': decoded and encoded to `audioCodec`. */
  audio: 'copy' | 'encode' | 'none';
  audioCodec: string | null;
}

/** The audio codec a container is re-encoded to when the input's cannot be copied into it. */
export const ENCODE_AUDIO_TO: Record<ContainerName, 'aac' | 'opus'> = { mp4: 'aac', webm: 'opus' };

/**
 * Decides container, codec and audio handling. Transparent output is VP9 with an alpha stream
 * in WebM (MP4 has no standard place for VP9 alpha); audio is copied whenever the container can
 * hold the input's codec (`canHold` lists what it holds), else re-encoded.
 */
export function planOutput(opts: Pick<ProcessOptions, 'background' | 'videoCodec' | 'container'>, inputAudioCodec: string | null,
  canHold: (container: ContainerName) => readonly string[]): OutputPlan {
  const type = opts.background?.type;
  if (!type || type === 'none') throw new StudioStateError('Choose a background for the file (blur, colour, image or transparent); "none" would only copy it.');
  const transparent = type === 'transparent';
  if (transparent && opts.container === 'mp4') {
    throw new UnsupportedCodecError('A transparent background is saved as WebM (VP9 with alpha): MP4 cannot hold the alpha. Choose WebM, or another background.', { container: 'mp4' });
  }
  if (transparent && opts.videoCodec && opts.videoCodec !== 'vp9') {
    throw new UnsupportedCodecError(`A transparent background is saved as VP9 with alpha; ${opts.videoCodec.toUpperCase()} cannot carry the alpha in this browser. Choose VP9.`, { codec: opts.videoCodec });
  }
  const container: ContainerName = transparent ? 'webm' : opts.container ?? 'mp4';
  const videoCodec = transparent ? 'vp9' : opts.videoCodec;
  if (!inputAudioCodec) return { container, videoCodec, transparent, audio: 'none', audioCodec: null };
  if (canHold(container).includes(inputAudioCodec)) return { container, videoCodec, transparent, audio: 'copy', audioCodec: inputAudioCodec };
  return { container, videoCodec, transparent, audio: 'encode', audioCodec: ENCODE_AUDIO_TO[container] };
}

/** The name (without extension) of a file's output: "talk.mov" with blur → "talk (blur)". */
export function outputStem(fileName: string | undefined, background: ProcessOptions['background']): string {
  const base = (fileName ?? '').replace(/\.[^./\\]*$/, '').replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim() || 'Video';
  const label = background.type === 'color' ? 'colour' : background.type;
  return `${base.slice(0, 120)} (${label})`;
}
