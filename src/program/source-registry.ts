import type { SceneCollection, SourceKind } from '../scene/types.ts';
import type { BackgroundEffect } from '../segment/background-effect.ts';
import type { MaskOptions } from '../segment/mask-options.ts';
import type { IngestPolicy } from '../gpu/frame-ingest.ts';
import type { EffectsChain } from '../gpu/effects.ts';
import type { SourceNode, SourceNodeStats } from '../sources/source-node.ts';
import { VideoChain, type EffectsFactory } from '../sources/video-chain.ts';
import { TrackNode } from '../sources/track-node.ts';
import { VideoFileNode } from '../sources/video-file-node.ts';
import { ColorNode, ImageNode } from '../sources/still-nodes.ts';
import { TextNode } from '../sources/text-node.ts';
import { VideoFilePlayer } from '../sources/video-file-player.ts';
import { StudioStateError } from '../util/errors.ts';
import { QUALITY_SETTINGS, type QualitySettings } from './quality.ts';
import type { DebugLoadPass } from '../gpu/passes/debug-load.ts';

/**
 * The render worker's sources, one node per source of the scene collection. Colour and text
 * sources are made from their settings; sources with media (tracks, images, video files) get
 * their node when the page attaches the media, and keep it while the source exists.
 */
export class SourceRegistry {
  private readonly nodes = new Map<string, SourceNode>();
  private maskOptions: Partial<MaskOptions> = {};
  private quality: QualitySettings = QUALITY_SETTINGS.high;
  private debugLoad: DebugLoadPass | null = null;

  constructor(private readonly device: GPUDevice, private readonly policy: IngestPolicy, private readonly makeEffects: EffectsFactory,
    private readonly onEnded: (id: string, reason: string) => void) {}

  /** The node of a source, if it has one. */
  get(id: string): SourceNode | undefined { return this.nodes.get(id); }
  /** Every node. */
  all(): IterableIterator<SourceNode> { return this.nodes.values(); }

  /** Drops nodes whose source is gone and (re)builds colour and text nodes from their settings. */
  sync(c: SceneCollection): void {
    const live = new Set<string>();
    for (const s of c.sources) {
      live.add(s.id);
      const st = s.settings;
      if (st.kind === 'color') {
        const n = (this.nodes.get(s.id) as ColorNode | undefined) ?? this.put(new ColorNode(s.id, this.device));
        n.set(st.color, c.output.width, c.output.height);
      } else if (st.kind === 'text') {
        const n = (this.nodes.get(s.id) as TextNode | undefined) ?? this.put(new TextNode(s.id, this.device));
        n.set(st);
      }
    }
    for (const [id, n] of this.nodes) if (!live.has(id)) { n.destroy(); this.nodes.delete(id); }
  }

  private put<T extends SourceNode>(n: T): T {
    this.nodes.get(n.id)?.destroy();
    this.nodes.set(n.id, n);
    return n;
  }

  private chain(id: string): VideoChain {
    return new VideoChain(this.device, this.policy, `${id}`, (label) => {
      const fx = this.makeEffects(label);
      fx?.setMaskOptions(this.maskOptions);
      fx?.setQuality(this.quality);
      if (fx) fx.debugLoad = this.debugLoad;
      return fx;
    });
  }

  /** Reads a camera or screen track; a source that had a node keeps its node (and last picture). */
  attachTrack(id: string, kind: 'camera' | 'display', readable: ReadableStream<VideoFrame>): void {
    let n = this.nodes.get(id);
    if (!(n instanceof TrackNode)) n = this.put(new TrackNode(id, kind, this.chain(id), this.onEnded));
    (n as TrackNode).attach(readable);
  }

  /** Stops reading a track; the node keeps its last picture. */
  detachTrack(id: string): void {
    const n = this.nodes.get(id);
    if (n instanceof TrackNode) n.detach();
  }

  /** Uploads an image source's picture. */
  attachImage(id: string, bitmap: ImageBitmap): void {
    const n = this.nodes.get(id);
    (n instanceof ImageNode ? n : this.put(new ImageNode(id, this.device))).setImage(bitmap);
  }

  /** Opens a video file source (throws MediaDecodeError for files it cannot play). */
  async attachVideoFile(id: string, file: Blob, loop: boolean, nowUs: number): Promise<{ width: number; height: number; durationUs: number; hasAudio: boolean }> {
    const player = await VideoFilePlayer.open(file, { loop });
    player.play(nowUs);
    this.put(new VideoFileNode(id, player, this.chain(id)));
    return { width: player.width, height: player.height, durationUs: player.durationUs, hasAudio: player.hasAudio };
  }

  /** Play, pause or restart a video file source; loop on or off. */
  controlVideo(id: string, action: 'play' | 'pause' | 'restart' | null, loop: boolean | null, nowUs: number): void {
    const n = this.nodes.get(id);
    if (!(n instanceof VideoFileNode)) throw new StudioStateError('That source is not a video file that is open.');
    if (loop !== null) n.player.loop = loop;
    if (action === 'play') n.player.play(nowUs);
    else if (action === 'pause') n.player.pause(nowUs);
    else if (action === 'restart') n.player.restart(nowUs);
  }

  private videoChainOf(id: string): VideoChain | null {
    const n = this.nodes.get(id);
    return n instanceof TrackNode || n instanceof VideoFileNode ? n.video : null;
  }

  /** The background-removal chains made so far (camera, screen and video sources). */
  private *effectsChains(): IterableIterator<EffectsChain> {
    for (const id of this.nodes.keys()) {
      const fx = this.videoChainOf(id)?.effects;
      if (fx) yield fx;
    }
  }

  /** The first source's filter that is removing a background now, if any. */
  activeEffects(): EffectsChain | null {
    for (const fx of this.effectsChains()) if (fx.active) return fx;
    return null;
  }

  /** Camera clock offset measured on the page for a camera or screen source. */
  observeClockOffset(id: string, offsetUs: number): void {
    const n = this.nodes.get(id);
    if (n instanceof TrackNode) n.observeClockOffset(offsetUs);
  }

  /** Sets the background filter of a camera, screen or video source. */
  async setBackground(id: string, effect: BackgroundEffect): Promise<void> {
    const chain = this.videoChainOf(id);
    if (!chain) throw new StudioStateError('Only camera, screen and video sources can remove their background.');
    await chain.setBackground(effect);
  }

  /** Mask refinement knobs, for every source's filter. */
  setMaskOptions(o: Partial<MaskOptions>): void {
    this.maskOptions = { ...this.maskOptions, ...o };
    for (const fx of this.effectsChains()) fx.setMaskOptions(o);
  }

  /** Adaptive quality for every source's background chain (and chains made later). */
  setQuality(q: QualitySettings): void {
    this.quality = q;
    for (const fx of this.effectsChains()) fx.setQuality(q);
  }

  /** Diagnostics: extra GPU work each chain adds with every new mask. */
  setDebugLoad(load: DebugLoadPass): void {
    this.debugLoad = load;
    for (const fx of this.effectsChains()) fx.debugLoad = load;
  }

  /** Whether any source removes its background now (quality only matters then). */
  effectsActive(): boolean { return this.activeEffects() !== null; }

  /** While recording, camera clock corrections are limited so timestamps keep increasing. */
  setRecording(on: boolean): void {
    for (const n of this.nodes.values()) if (n instanceof TrackNode) n.recording = on;
  }

  /** The first camera node in collection order (its capture time stamps the program). */
  firstCamera(order: readonly { id: string; settings: { kind: SourceKind } }[]): TrackNode | null {
    for (const s of order) {
      const n = this.nodes.get(s.id);
      if (n instanceof TrackNode && n.kind === 'camera') return n;
    }
    return null;
  }

  /** Per-source figures. */
  stats(): SourceNodeStats[] { return [...this.nodes.values()].map((n) => n.stats()); }

  /**
   * Takes over the media of a registry whose GPU device was lost: tracks keep being read, video
   * files keep playing, images are uploaded again, filters are set again on new chains; colour
   * and text sources are made anew from `c`. The old registry is left empty. Resolves to what
   * could not be restored, for the person.
   */
  async adopt(old: SourceRegistry, c: SceneCollection | null): Promise<string[]> {
    this.maskOptions = old.maskOptions;
    this.quality = old.quality;
    const filters: [VideoChain, BackgroundEffect][] = [];
    for (const [id, n] of old.nodes) {
      if (n instanceof TrackNode || n instanceof VideoFileNode) {
        const effect = n.video.background;
        n.rebind(this.chain(id));
        if (effect) filters.push([n.video, effect]);
        this.nodes.set(id, n);
      } else if (n instanceof ImageNode) {
        const bitmap = n.takeBitmap();
        if (bitmap) this.attachImage(id, bitmap);
        n.destroy();
      } else {
        n.destroy();
      }
    }
    old.nodes.clear();
    if (c) this.sync(c);
    // A filter that cannot be set again leaves its source unfiltered, not the program down.
    const problems: string[] = [];
    for (const [chain, effect] of filters) {
      await chain.setBackground(effect).catch((e) => problems.push(`a background effect could not be restored (${e instanceof Error ? e.message : String(e)})`));
    }
    return problems;
  }

  /** Frees every node. */
  destroy(): void {
    for (const n of this.nodes.values()) n.destroy();
    this.nodes.clear();
  }
}
