/**
 * Pure layout of a text source: font string, line breaking and the texture's size. No canvas
 * here, only a `measure` callback, so the rules are unit-tested in Node with a fake measure and
 * the renderer (text-render.ts) only draws what this decides.
 *
 * The rules (the renderer's spec):
 * - Explicit newlines (\n, \r\n, \r) always break. With `wrapWidth` > 0 a paragraph wider than it
 *   breaks greedily at spaces; the spaces at a soft break are dropped; a word wider than
 *   `wrapWidth` on its own is broken between graphemes (at least one per line).
 * - Line box height is 1.2 × size; each line's glyphs are centred in it (textBaseline 'middle').
 * - The text block is as wide as the widest line (advance widths); lines align left, centre or
 *   right within it.
 * - The outline is `outlineWidth` px visible outside the glyphs (a stroke twice as wide, drawn
 *   under the fill), so the block is inset by padding + outlineWidth on every side.
 * - Texture size = ceil(block + 2 × inset), at least 1×1 and at most MAX_TEXT_SIZE per side
 *   (larger text is clipped, not refused). The background box fills the whole texture.
 */
import type { TextSettings } from '../scene/types.ts';

/** Largest texture side a text source gets; text beyond it is clipped. */
export const MAX_TEXT_SIZE = 4096;

/** Line height as a multiple of the font size. */
export const LINE_HEIGHT = 1.2;

export interface TextLine {
  text: string;
  /** Left edge of the line's advance box in texture pixels (fractional). */
  x: number;
  /** Vertical centre of the line box in texture pixels: draw with textBaseline 'middle'. */
  y: number;
  /** Advance width as measured. */
  width: number;
}

export interface TextLayout {
  lines: TextLine[];
  /** Texture size in pixels, after the 1..MAX_TEXT_SIZE clamp. */
  width: number;
  height: number;
  /** Size the text wanted before the clamp (equal to width/height unless clipped). */
  fullWidth: number;
  fullHeight: number;
  clipped: boolean;
  lineHeight: number;
  /** Distance from the texture edge to the text block: padding + outline. */
  inset: number;
}

/** A finite number ≥ 0, else 0 (settings come from the UI, the API and imported JSON). */
function nonNegative(v: number): number {
  return Number.isFinite(v) && v > 0 ? v : 0;
}

/** The font size actually used: at least 1 px. */
export function fontSize(settings: TextSettings): number {
  return Math.max(1, nonNegative(settings.size));
}

/** The visible outline width actually used (0 = none). */
export function outlineWidth(settings: TextSettings): number {
  return nonNegative(settings.outlineWidth);
}

/** The CSS font shorthand for the settings, e.g. `italic bold 48px Arial, sans-serif`. */
export function fontString(settings: TextSettings, family = settings.font): string {
  return `${settings.italic ? 'italic ' : ''}${settings.bold ? 'bold ' : ''}${fontSize(settings)}px ${family.trim() || 'sans-serif'}`;
}

let segmenter: Intl.Segmenter | null = null;

/** User-perceived characters, so an accent or emoji is never split from its base. */
function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const out: string[] = [];
  for (const g of segmenter.segment(s)) out.push(g.segment);
  return out;
}

/** Places one word on a fresh line, breaking it by graphemes if it alone is too wide; returns the unfinished last piece. */
function placeWord(word: string, maxWidth: number, measure: (s: string) => number, out: string[]): string {
  if (measure(word) <= maxWidth) return word;
  let piece = '';
  for (const g of graphemes(word)) {
    if (piece !== '' && measure(piece + g) > maxWidth) { out.push(piece); piece = g; } else piece += g;
  }
  return piece;
}

/** Breaks one paragraph (no newlines) into lines no wider than maxWidth where possible. */
export function wrapParagraph(paragraph: string, maxWidth: number, measure: (s: string) => number, out: string[] = []): string[] {
  if (maxWidth <= 0 || measure(paragraph) <= maxWidth) { out.push(paragraph); return out; }
  let line: string | null = null;
  let afterBreak = false;
  for (const word of paragraph.split(' ')) {
    if (line === null) {
      // Spaces at a soft break are consumed; leading spaces of the paragraph are kept.
      if (afterBreak && word === '') continue;
      line = placeWord(word, maxWidth, measure, out);
      continue;
    }
    const candidate: string = `${line} ${word}`;
    if (measure(candidate) <= maxWidth) { line = candidate; continue; }
    out.push(line.trimEnd());
    afterBreak = true;
    line = word === '' ? null : placeWord(word, maxWidth, measure, out);
  }
  if (line !== null) out.push(line);
  return out;
}

/** Splits text into lines: explicit newlines, then wrapping at wrapWidth. */
export function breakLines(text: string, wrapWidth: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  const maxWidth = nonNegative(wrapWidth);
  for (const paragraph of text.split(/\r\n|\r|\n/)) wrapParagraph(paragraph, maxWidth, measure, out);
  return out;
}

/** Lays out text settings; `measure` gives the advance width of a string in the settings' font. */
export function layoutText(settings: TextSettings, measure: (s: string) => number): TextLayout {
  const size = fontSize(settings);
  const lineHeight = LINE_HEIGHT * size;
  const inset = nonNegative(settings.padding) + outlineWidth(settings);
  const texts = breakLines(settings.text, settings.wrapWidth, measure);
  const widths = texts.map((t) => measure(t));
  let blockWidth = 0;
  for (const w of widths) blockWidth = Math.max(blockWidth, w);
  const align = settings.align === 'center' ? 0.5 : settings.align === 'right' ? 1 : 0;
  const lines = texts.map((text, i) => ({
    text, width: widths[i], x: inset + (blockWidth - widths[i]) * align, y: inset + (i + 0.5) * lineHeight,
  }));
  const fullWidth = Math.max(1, Math.ceil(blockWidth + 2 * inset));
  const fullHeight = Math.max(1, Math.ceil(texts.length * lineHeight + 2 * inset));
  const width = Math.min(MAX_TEXT_SIZE, fullWidth);
  const height = Math.min(MAX_TEXT_SIZE, fullHeight);
  return { lines, width, height, fullWidth, fullHeight, clipped: width < fullWidth || height < fullHeight, lineHeight, inset };
}
