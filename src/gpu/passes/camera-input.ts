import cameraBlock from '../../../shaders/camera-block.wgsl?raw';
import cameraPlanes from '../../../shaders/camera-planes.wgsl?raw';
import cameraTexture from '../../../shaders/camera-texture.wgsl?raw';
import yuvLayout from '../../../shaders/yuv-layout.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import type { Bindable } from './pass-common.ts';

/**
 * A frame's raw planes as the copy path uploaded them: the storage buffer and its YuvLayout
 * uniform (shaders/yuv-layout.wgsl), owned by the ingest pass and valid for the current frame.
 */
export interface CameraPlanes {
  readonly planes: GPUBuffer;
  readonly layout: GPUBuffer;
  readonly width: number;
  readonly height: number;
}

/** What a camera-reading pass reads: the ingested RGBA texture or the raw planes. */
export type CameraInput = GPUTexture | CameraPlanes;

/** Which reader (camera-texture.wgsl or camera-planes.wgsl) a pass's module was built with. */
export type CameraKind = 'texture' | 'planes';

/**
 * One frame of a live source as the effect passes see it. Passes that can read the planes take
 * `planes`; a pass that needs the RGBA picture asks `rgba`, which runs the ingest at most once
 * per frame. `texture` has the frame's size but holds this frame only after `rgba`.
 */
export interface CameraFrame {
  readonly width: number;
  readonly height: number;
  readonly planes: CameraPlanes | null;
  readonly texture: GPUTexture;
  /** Whether `texture` holds this frame already. */
  readonly ingested: boolean;
  /** `texture` when it holds this frame or an earlier one of the same size, else null. */
  readonly picture: GPUTexture | null;
  rgba(encoder: GPUCommandEncoder, timer?: PassTimer): Promise<GPUTexture>;
}

/**
 * The module source of a camera-reading pass: `code` (which defines camPixel and runs it with
 * camPixels, or reads camBlock itself) with camera-block.wgsl and the reader of `kind`
 * prepended. Bindings 14 and 15 are the reader's; passes keep below them.
 */
export function withCamera(code: string, kind: CameraKind): string {
  return kind === 'texture' ? cameraBlock + cameraTexture + code : yuvLayout + cameraBlock + cameraPlanes + code;
}

/** The reader's binding names, to append to a kernel's own. */
export const cameraNames = (kind: CameraKind): readonly string[] => (kind === 'texture' ? ['camTex'] : ['camPlanes', 'camLayout']);

/** First resource of the reader's bindings (positional, so a frame builds no array). */
export const camA = (cam: CameraInput): Bindable => (cam instanceof GPUTexture ? cam : cam.planes);

/** Second resource of the reader's bindings (none for a texture). */
export const camB = (cam: CameraInput): Bindable | undefined => (cam instanceof GPUTexture ? undefined : cam.layout);

/** A pass's pipelines per camera kind, each built the first time a frame of that kind comes. */
export class CameraVariants<T> {
  private texture: T | null = null;
  private planes: T | null = null;

  constructor(private readonly build: (kind: CameraKind) => T) {}

  /** The variant that reads `cam`. */
  for(cam: CameraInput): T {
    if (cam instanceof GPUTexture) return (this.texture ??= this.build('texture'));
    return (this.planes ??= this.build('planes'));
  }

  /** The variants built so far. */
  *built(): Iterable<T> {
    if (this.texture) yield this.texture;
    if (this.planes) yield this.planes;
  }
}
