import type { SourceKind } from '../scene/types.ts';
import type { PassTimer } from '../gpu/timing.ts';
import type { SourceStats } from '../util/types.ts';

/** Figures of one source for the stats panel. */
export type SourceNodeStats = SourceStats;

/**
 * A source as the render worker sees it: something that yields a texture for the program
 * clock. Video sources ingest their newest frame (and run their filter) once per tick in which
 * they are on screen; still sources upload once and report no change afterwards.
 */
export interface SourceNode {
  readonly id: string;
  readonly kind: SourceKind;
  /** The picture to draw; null while there is none (the compositor draws a placeholder). */
  readonly texture: GPUTexture | null;
  /** Natural size of the picture in pixels (0 while unknown). */
  readonly width: number;
  readonly height: number;
  /** Whether every pixel of the texture is opaque (lets the program copy instead of draw). */
  readonly opaque: boolean;
  /** Increments whenever the texture's content changes. */
  readonly contentVersion: number;
  /** Asynchronous work before this tick's command encoder exists (frame uploads). */
  prepare(nowUs: number): Promise<void>;
  /**
   * Whether this tick's encode (after prepare) is likely to start a model run ahead of its
   * frame: the render loop then lets the GPU queue drain first, so the model's input is not
   * read back behind earlier frames. Absent: never.
   */
  startsModelRun?(nowUs: number): boolean;
  /** Encodes this tick's GPU work for the source (ingest, filter). */
  encode(encoder: GPUCommandEncoder, nowUs: number, timer?: PassTimer): Promise<void>;
  /** Called once the tick's commands were submitted (frames used by the GPU may be closed now). */
  afterSubmit(nowUs: number): void;
  stats(): SourceNodeStats;
  destroy(): void;
}
