import shader from '../../../shaders/orient.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { ChangeKey, groups8, SingleKernelPass } from './pass-common.ts';

export type Rotation = 0 | 90 | 180 | 270;

/** Size of a `width`×`height` picture after a clockwise `rotation`, cut to even numbers when `even`. */
export function orientedSize(width: number, height: number, rotation: Rotation, even: boolean): { width: number; height: number } {
  const turned = rotation === 90 || rotation === 270;
  const w = turned ? height : width, h = turned ? width : height;
  return even ? { width: w - (w % 2), height: h - (h % 2) } : { width: w, height: h };
}

const USAGE = GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC;

/**
 * Rotates a frame upright (the file's rotation metadata) and cuts odd sizes to even, in one
 * texel copy into a texture the pass owns (remade only when the size changes). Files that need
 * neither skip it: `needed` says whether to run it.
 */
export class OrientPass extends SingleKernelPass {
  private out: GPUTexture | null = null;
  private readonly key = new ChangeKey();

  constructor(private readonly device: GPUDevice) {
    super(device, shader, 'orient', ['p', 'src', 'dst']);
  }

  /** Whether a frame of this size and rotation differs from what the encoder is given. */
  static needed(width: number, height: number, rotation: Rotation): boolean {
    return rotation !== 0 || width % 2 !== 0 || height % 2 !== 0;
  }

  /** Encodes the copy of `src` turned by `rotation` and cut to even; returns the upright texture. */
  encode(encoder: GPUCommandEncoder, src: GPUTexture, rotation: Rotation, timer?: PassTimer): GPUTexture {
    const size = orientedSize(src.width, src.height, rotation, true);
    if (!this.out || this.out.width !== size.width || this.out.height !== size.height) {
      this.out?.destroy();
      this.out = this.device.createTexture({ size: [size.width, size.height], format: 'rgba8unorm', usage: USAGE, label: 'orient-out' });
    }
    if (this.key.changed(size.width, size.height, src.width, src.height, rotation)) {
      this.params.set({ dstSize: [size.width, size.height], srcSize: [src.width, src.height], rotation }).write();
    }
    this.dispatch(encoder, this.groups.get(this.params.buffer, src, this.out), groups8(size.width), groups8(size.height), timer);
    return this.out;
  }

  /** Frees the output texture and the params buffer. */
  override destroy(): void {
    this.out?.destroy();
    this.out = null;
    super.destroy();
  }
}
