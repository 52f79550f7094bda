/**
 * Text source renderer in headless Chromium: renderText → uploadText (copyExternalImageToTexture,
 * straight alpha) → readback, against a reference drawn independently with the 2D canvas API
 * and read with getImageData (straight alpha too). TextSource re-renders only on change; wrap
 * widths hold with real font metrics; whitespace-only, background-only and oversized text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, type TextSettings } from '../../src/scene/types.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import type { RenderCaseResult, SourceObservation } from './pages/text-render.page.ts';

const PAGE = '/tests/browser/pages/text-render.page.ts';
/** Both sides un-premultiply the same 8-bit premultiplied pixels; only their rounding may differ. */
const ALPHA_TOLERANCE = 1;
/** Colour where alpha ≥ 0.5: un-premultiplying amplifies a 1-step premultiplied difference up to 2×. */
const COLOR_TOLERANCE = 2;

let session: KernelSession;
beforeAll(async () => { session = await openKernelSession(); });
afterAll(async () => { await session?.close(); });

const settings = (over: Partial<TextSettings>): TextSettings => ({ ...DEFAULT_TEXT, ...over });

const CASES: Record<string, TextSettings> = {
  plain: settings({ text: 'Hello, world! gjpqy', font: 'sans-serif', size: 40, color: '#ffcc00' }),
  'bold + outline + background box': settings({
    text: 'On Air', font: 'DejaVu Sans, sans-serif', size: 56, bold: true, color: '#ffffff',
    outlineColor: '#1040c0', outlineWidth: 4, background: '#20202080', padding: 12,
  }),
  'centred, wrapped, multi-line, italic': settings({
    text: 'The quick brown fox jumps over the lazy dog\nand keeps running', font: 'serif', size: 28,
    italic: true, align: 'center', wrapWidth: 240, color: '#e0f0ff', outlineColor: '#000000', outlineWidth: 1.5, padding: 6,
  }),
  'right-aligned, translucent fill': settings({
    text: 'Right\naligned text\nx', font: 'monospace', size: 32, align: 'right', color: '#00ff8080', padding: 0,
  }),
};

async function renderCase(s: TextSettings): Promise<{ res: RenderCaseResult; got: Uint8Array; want: Uint8Array }> {
  const out = session.bytes.outPrefix();
  const res = await session.call<RenderCaseResult>(PAGE, 'renderCase', s, out);
  const got = session.bytes.take(out, 'got');
  const want = session.bytes.take(out, 'want');
  session.bytes.clear();
  return { res, got, want };
}

interface Diff { alpha: number; color: number; edges: number; covered: number; worst: string }

/** Alpha everywhere; colour where the reference alpha is ≥ 128 (below it 8-bit un-premultiplying is coarse). */
function compare(got: Uint8Array, want: Uint8Array, width: number): Diff {
  const d: Diff = { alpha: 0, color: 0, edges: 0, covered: 0, worst: '' };
  for (let i = 0; i < want.length; i += 4) {
    const a = want[i + 3];
    if (a > 0) d.covered++;
    if (a > 0 && a < 255) d.edges++;
    const da = Math.abs(got[i + 3] - a);
    if (da > d.alpha) { d.alpha = da; d.worst = `alpha at (${(i / 4) % width}, ${Math.floor(i / 4 / width)}): got ${got[i + 3]} want ${a}`; }
    if (a < 128) continue;
    for (let c = 0; c < 3; c++) {
      const dc = Math.abs(got[i + c] - want[i + c]);
      if (dc > d.color) { d.color = dc; d.worst = `colour at (${(i / 4) % width}, ${Math.floor(i / 4 / width)}) ch ${c}: got ${got[i + c]} want ${want[i + c]} (alpha ${a})`; }
    }
  }
  return d;
}

describe('renderText + uploadText vs an independent 2D canvas reference', () => {
  for (const [name, s] of Object.entries(CASES)) {
    it(`${name}: same size, alpha ≤ ${ALPHA_TOLERANCE}/255, colour ≤ ${COLOR_TOLERANCE}/255 where alpha ≥ 0.5`, async () => {
      const { res, got, want } = await renderCase(s);
      expect(res.got.lines).toEqual(res.want.lines);
      expect([res.got.width, res.got.height]).toEqual([res.want.width, res.want.height]);
      const d = compare(got, want, res.got.width);
      console.log(`[text] ${name}: ${res.got.width}x${res.got.height}, ${res.got.lines.length} lines, ${d.covered} covered px, ${d.edges} edge px, max diff alpha ${d.alpha} colour ${d.color}${d.worst ? ` (worst ${d.worst})` : ''}`);
      // Antialiased edges exist, so the straight/premultiplied round trip is really exercised.
      expect(d.edges).toBeGreaterThan(100);
      expect(d.alpha, d.worst).toBeLessThanOrEqual(ALPHA_TOLERANCE);
      expect(d.color, d.worst).toBeLessThanOrEqual(COLOR_TOLERANCE);
      if (s.wrapWidth > 0) for (const w of res.lineWidths) expect(w).toBeLessThanOrEqual(s.wrapWidth);
    });
  }

  it('plain: edge pixels keep the straight fill colour (a premultiplied upload would darken them)', async () => {
    const { res, got } = await renderCase(CASES.plain);
    let checked = 0, worst = 0;
    for (let i = 0; i < got.length; i += 4) {
      if (got[i + 3] < 128 || got[i + 3] === 255) continue;
      checked++;
      worst = Math.max(worst, Math.abs(got[i] - 0xff), Math.abs(got[i + 1] - 0xcc), Math.abs(got[i + 2]));
    }
    console.log(`[text] plain: ${checked} edge px with alpha in [128, 255), max colour error ${worst} vs #ffcc00 (${res.got.width}x${res.got.height})`);
    expect(checked).toBeGreaterThan(50);
    expect(worst).toBeLessThanOrEqual(COLOR_TOLERANCE);
    // Ascenders, descenders (gjpqy) and the sides stay inside the default 8 px padding: nothing clipped.
    const { width: w, height: h } = res.got;
    let border = 0;
    for (let x = 0; x < w; x++) border += got[x * 4 + 3] + got[((h - 1) * w + x) * 4 + 3];
    for (let y = 0; y < h; y++) border += got[y * w * 4 + 3] + got[(y * w + w - 1) * 4 + 3];
    expect(border, 'alpha on the texture border').toBe(0);
  });
});

describe('wrapping with real font metrics', () => {
  it('no line is wider than wrapWidth unless it is a single character', async () => {
    const s = settings({ text: 'Supercalifragilisticexpialidocious is a word, and so is antidisestablishmentarianism.\nNew  paragraph', size: 24, font: 'serif' });
    const wraps = [1, 30, 90, 160, 300];
    const result = await session.call<{ wrap: number; lines: { text: string; width: number }[] }[]>(PAGE, 'wrapLines', s, wraps);
    for (const { wrap, lines } of result) {
      for (const { text, width } of lines) if ([...text].length > 1) expect(width, `"${text}" at wrap ${wrap}`).toBeLessThanOrEqual(wrap);
      // Nothing lost but the spaces consumed at soft breaks.
      expect(lines.map((l) => l.text).join('').replace(/ /g, '')).toBe(s.text.replace(/[ \n]/g, ''));
    }
    expect(result.find((r) => r.wrap === 1)!.lines.length).toBe(s.text.replace(/[ \n]/g, '').length);
    expect(result.find((r) => r.wrap === 300)!.lines.length).toBeGreaterThanOrEqual(4);
  });
});

describe('TextSource', () => {
  it('re-renders only when a setting changes; reuses the texture while the size holds', async () => {
    const base = settings({ text: 'Score 1', size: 30, color: '#ffffff' });
    const seen = await session.call<SourceObservation[]>(PAGE, 'sourceSteps', [
      { step: 'first', settings: base, check: true },
      { step: 'same object', settings: base },
      { step: 'equal copy', settings: { ...base } },
      { step: 'equal copy with kind', settings: { kind: 'text', ...base } },
      { step: 'colour', settings: { ...base, color: '#ff0000' }, check: true },
      { step: 'text', settings: { ...base, color: '#ff0000', text: 'Score 1 — final' }, check: true },
      { step: 'text again', settings: { ...base, color: '#ff0000', text: 'Score 1 — final' } },
      { step: 'wrap', settings: { ...base, color: '#ff0000', text: 'Score 1 — final', wrapWidth: 60 }, check: true },
    ]);
    const at = (step: string): SourceObservation => seen.find((x) => x.step === step)!;
    console.log(`[text] TextSource renders per step: ${seen.map((x) => `${x.step}=${x.renders}`).join(', ')}`);
    expect(seen.map((x) => x.renders)).toEqual([1, 1, 1, 1, 2, 3, 3, 4, 4]);
    expect(at('first').label).toBe('text-abc');
    expect(at('first').width).toBeGreaterThan(0);
    expect(at('colour').sameTexture).toBe(true);
    expect([at('colour').width, at('colour').height]).toEqual([at('first').width, at('first').height]);
    expect(at('text').sameTexture).toBe(false);
    expect(at('text').width).toBeGreaterThan(at('first').width);
    expect(at('wrap').height).toBeGreaterThan(at('text').height);
    for (const x of seen) if (x.matchesRender !== null) expect(x.matchesRender, `texture after "${x.step}" equals renderText's pixels`).toBe(true);
    expect(at('destroy').label).toBeNull();
  });
});

describe('in a Web Worker', () => {
  it('renderText in a module worker (OffscreenCanvas only) draws the same pixels as on the page', async () => {
    for (const s of [CASES['bold + outline + background box'], CASES['centred, wrapped, multi-line, italic']]) {
      const r = await session.call<{ identical: boolean; width: number; height: number }>(PAGE, 'workerMatchesPage', s);
      expect(r.identical, `${r.width}x${r.height} worker vs page`).toBe(true);
    }
  });
});

describe('edge cases', () => {
  it('whitespace-only text gives a transparent texture; with a box, only the box', async () => {
    const blank = await session.call<{ width: number; height: number; distinct: string[] }>(PAGE, 'edgeCase', settings({ text: '  \n ' }), true);
    expect(blank.width).toBeGreaterThan(16);
    expect(blank.distinct).toEqual(['0,0,0,0']);
    const boxed = await session.call<{ width: number; height: number; distinct: string[] }>(PAGE, 'edgeCase', settings({ text: ' ', background: '#336699' }), true);
    expect(boxed.distinct).toEqual(['51,102,153,255']);
    const empty = await session.call<{ width: number; height: number; distinct: string[] }>(PAGE, 'edgeCase', settings({ text: '', padding: 0 }), true);
    expect(empty.width).toBe(1);
    expect(empty.distinct).toEqual(['0,0,0,0']);
  });

  it('text larger than 4096 px is clipped to 4096, not refused', async () => {
    const big = await session.call<{ width: number; height: number; clipped: boolean }>(PAGE, 'edgeCase', settings({ text: 'WWWWWW\nW', size: 2000 }), false);
    expect(big).toMatchObject({ width: 4096, height: 4096, clipped: true });
  });

  it('left no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
