/**
 * The scene collection as plain data: what the UI and `window.studio` edit, what is saved to
 * IndexedDB and exported as JSON, and what the render worker draws. Blobs (images, video files)
 * are never inside it; a source names its blob by `blobId` and the blob lives beside it.
 */
import type { BackgroundEffect } from '../segment/background-effect.ts';

/** How a source fills its item's box (OBS's bounds types). */
export type Fit = 'stretch' | 'contain' | 'cover';

/** Pixels cut off each side of the source, in source pixels. */
export interface Crop { left: number; top: number; right: number; bottom: number }

/** The editable placement of an item on the program canvas. */
export interface ItemTransform {
  /** Box in canvas pixels (top-left corner and size, before rotation). */
  x: number; y: number; width: number; height: number;
  /** Degrees, clockwise on screen, about the box's centre. */
  rotation: number;
  crop: Crop;
  /** Mirrors the picture left–right / top–bottom inside its box (absent: not mirrored). */
  flipH?: boolean;
  flipV?: boolean;
  /** 0..1. */
  opacity: number;
  visible: boolean;
  /** A locked item ignores edits made on the preview (not API calls). */
  locked: boolean;
  fit: Fit;
}

/** One source shown in one scene. */
export interface SceneItem extends ItemTransform { id: string; sourceId: string }

/** A scene: items sorted by z, the first drawn first (bottom); `transition` overrides the default when switching to it. */
export interface Scene { id: string; name: string; items: SceneItem[]; transition?: TransitionSpec }

export type TextAlign = 'left' | 'center' | 'right';

/** Settings of a text source; rendered to a texture only when they change. */
export interface TextSettings {
  text: string;
  /** CSS font family list. */
  font: string;
  /** Pixels. */
  size: number;
  bold: boolean;
  italic: boolean;
  color: string;
  /** Outline colour and width in pixels (0 = none). */
  outlineColor: string;
  outlineWidth: number;
  /** Background box colour ('' = none) and its padding in pixels. */
  background: string;
  padding: number;
  align: TextAlign;
  /** Wrap width in pixels (0 = no wrapping). */
  wrapWidth: number;
}

/** Per-kind settings of a source (what is persisted; live media is attached separately). */
export type SourceSettings =
  | { kind: 'camera'; deviceId?: string; width?: number; height?: number; frameRate?: number }
  | { kind: 'display'; audio: boolean }
  | { kind: 'image'; blobId: string; mimeType: string }
  | { kind: 'color'; color: string }
  | ({ kind: 'text' } & TextSettings)
  | { kind: 'video'; blobId: string; fileName: string; loop: boolean; muted: boolean };

export type SourceKind = SourceSettings['kind'];

/** A background filter as persisted: an image background names its blob instead of holding it. */
export type StoredBackground = Exclude<BackgroundEffect, { type: 'image' }> | ({ type: 'image'; blobId: string; lightWrap?: number });

/** A source: media plus the filters that belong to it. */
export interface SourceEntry {
  id: string;
  name: string;
  settings: SourceSettings;
  /** Background removal (camera, display and video sources). */
  background: StoredBackground;
}

/** Program (output) canvas. */
export interface OutputSettings { width: number; height: number; frameRate: number }

/** Everything that describes the studio's picture; deep-equal after save and reload. */
export interface SceneCollection {
  version: 1;
  output: OutputSettings;
  sources: SourceEntry[];
  scenes: Scene[];
  currentSceneId: string;
  /** How the program changes scene unless the scene says otherwise (default: DEFAULT_TRANSITION). */
  transition?: TransitionSpec;
}

export type TransitionKind = 'cut' | 'fade' | 'slide' | 'swipe' | 'fade-to-color';
export type TransitionDirection = 'left' | 'right' | 'up' | 'down';
export const TRANSITION_KINDS: readonly TransitionKind[] = ['cut', 'fade', 'slide', 'swipe', 'fade-to-color'];
export const TRANSITION_DIRECTIONS: readonly TransitionDirection[] = ['left', 'right', 'up', 'down'];
/** Longest transition (ms). */
export const MAX_TRANSITION_MS = 10_000;

/** A scene change: its kind and length; slide and swipe move towards `direction`, fade to colour passes through `color`. */
export interface TransitionSpec {
  kind: TransitionKind;
  durationMs: number;
  direction?: TransitionDirection;
  /** CSS hex. */
  color?: string;
}

/** What a new collection switches scenes with (OBS's default is a 300 ms fade). */
export const DEFAULT_TRANSITION: TransitionSpec = { kind: 'fade', durationMs: 300 };

/** The default program canvas: 1280×720 at 30 fps. */
export const DEFAULT_OUTPUT: OutputSettings = { width: 1280, height: 720, frameRate: 30 };

/** Output limits (pixels per frame at the rate): up to 1920×1080 at 60 and 3840×2160 at 30. */
export const OUTPUT_LIMITS = { maxWidth: 3840, maxHeight: 2160, maxFrameRate: 60, maxPixelRate: 3840 * 2160 * 30 };

/** The default text settings. */
export const DEFAULT_TEXT: TextSettings = {
  text: 'Text', font: 'sans-serif', size: 48, bold: false, italic: false, color: '#ffffff',
  outlineColor: '#000000', outlineWidth: 0, background: '', padding: 8, align: 'left', wrapWidth: 0,
};

/**
 * One draw of the compositor: a textured quad. `matrix` maps the unit square (0..1, y down)
 * to canvas pixels as a 2×3 affine [a, b, c, d, e, f]: x' = a·u + c·v + e, y' = b·u + d·v + f
 * (gl-matrix mat2d order). `uv` is the part of the source texture shown: [u0, v0, u1, v1].
 */
export interface DrawQuad {
  matrix: Float32Array;
  uv: [number, number, number, number];
  opacity: number;
}
