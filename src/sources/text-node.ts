import type { TextSettings } from '../scene/types.ts';
import type { SourceNode, SourceNodeStats } from './source-node.ts';
import { TextSource } from './text-render.ts';

/** A text source: rendered to a texture only when its settings change. */
export class TextNode implements SourceNode {
  readonly kind = 'text' as const;
  private readonly text: TextSource;
  readonly opaque = false;

  constructor(readonly id: string, device: GPUDevice) {
    this.text = new TextSource(device, id);
  }

  get texture(): GPUTexture | null { return this.text.texture; }
  get width(): number { return this.text.width; }
  get height(): number { return this.text.height; }
  /** Every re-render is a new picture. */
  get contentVersion(): number { return this.text.renders; }

  /** Re-renders if any setting changed (TextSource compares values). */
  set(settings: TextSettings): void { this.text.update(settings); }

  async prepare(): Promise<void> {}
  async encode(): Promise<void> {}
  afterSubmit(): void {}
  stats(): SourceNodeStats {
    return { id: this.id, kind: 'text', width: this.width, height: this.height, state: 'live', framesIn: 0, framesReplaced: 0, message: null };
  }
  destroy(): void { this.text.destroy(); }
}
