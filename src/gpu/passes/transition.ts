import shader from '../../../shaders/transition.wgsl?raw';
import { parseHexColor } from '../../segment/background-effect.ts';
import type { TransitionFrame } from '../../program/transition-params.ts';
import type { PassTimer } from '../timing.ts';
import { ChangeKey, groups8, SingleKernelPass } from './pass-common.ts';

/** Draws one frame of a transition between two composed scenes into the program texture. */
export class TransitionPass extends SingleKernelPass {
  private readonly key = new ChangeKey();
  private color = '';
  private rgba: [number, number, number, number] = [0, 0, 0, 1];

  constructor(device: GPUDevice) {
    super(device, shader, 'transition', ['p', 'from_scene', 'to_scene', 'dst']);
  }

  /** Encodes `frame` of the transition from `from` to `to` (same size as `dst`, which needs STORAGE_BINDING). */
  encode(encoder: GPUCommandEncoder, from: GPUTexture, to: GPUTexture, dst: GPUTexture, frame: TransitionFrame, color: string, timer?: PassTimer): void {
    if (color !== this.color) {
      this.color = color;
      const [r, g, b] = parseHexColor(color);
      this.rgba = [r, g, b, 1];
    }
    const [r, g, b] = this.rgba;
    if (this.key.changed(dst.width, dst.height, frame.kind, frame.direction, frame.t, frame.shift, r, g, b)) {
      this.params.set({ size: [dst.width, dst.height], kind: frame.kind, direction: frame.direction, t: frame.t, shift: frame.shift, color: this.rgba }).write();
    }
    this.dispatch(encoder, this.groups.get(this.params.buffer, from, to, dst), groups8(dst.width), groups8(dst.height), timer);
  }
}
