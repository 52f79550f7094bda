import * as Comlink from 'comlink';
import type { SceneStore } from '../scene/store.ts';
import { StudioStateError } from '../util/errors.ts';
import type { RenderWorkerApi } from '../worker-apis.ts';

/**
 * Studio mode's state on the page: whether it is on, which scene the main canvas previews, and
 * the second canvas the program moves to. The render worker draws both; this keeps it told.
 */
export class StudioMode {
  private canvas: HTMLCanvasElement | null = null;
  /** The previewed scene; null while studio mode is off. */
  sceneId: string | null = null;

  constructor(private readonly render: Comlink.Remote<RenderWorkerApi>, private readonly store: SceneStore,
    private readonly ready: Promise<void>, private readonly changed: () => void) {
    // A previewed scene that was removed (or undone away) leaves the preview on the program's scene.
    store.subscribe(() => {
      if (this.sceneId !== null && !store.scene(this.sceneId)) {
        this.sceneId = store.state.currentSceneId;
        void this.render.setPreviewScene(this.sceneId);
      }
    });
  }

  /** The program's canvas while studio mode is on, made (and handed to the render worker) on first use. */
  get programCanvas(): HTMLCanvasElement {
    if (!this.canvas) {
      this.canvas = document.createElement('canvas');
      this.canvas.width = this.store.state.output.width;
      this.canvas.height = this.store.state.output.height;
      const offscreen = this.canvas.transferControlToOffscreen();
      void this.ready.then(() => this.render.attachStudioCanvas(Comlink.transfer(offscreen, [offscreen])));
    }
    return this.canvas;
  }

  /** Turns studio mode on (previewing the program's scene) or off. */
  async set(on: boolean): Promise<void> {
    if (on) void this.programCanvas;
    this.sceneId = on ? (this.sceneId ?? this.store.state.currentSceneId) : null;
    await this.render.setPreviewScene(this.sceneId);
    this.changed();
  }

  /** Previews scene `id` (studio mode must be on). */
  async preview(id: string): Promise<void> {
    if (this.sceneId === null) throw new StudioStateError('Studio mode is off: turn it on to preview a scene, or switch scenes directly.');
    if (!this.store.scene(id)) throw new StudioStateError(`No scene has the id ${JSON.stringify(id)}.`);
    this.sceneId = id;
    await this.render.setPreviewScene(id);
    this.changed();
  }
}
