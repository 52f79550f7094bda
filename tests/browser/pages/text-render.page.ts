/**
 * Page side of the text-render test. The reference here is written from the spec in
 * src/sources/text-layout.ts with the plain 2D canvas API (its own font string, word wrap and
 * textAlign anchors), not by calling the renderer, so a layout slip shows as a pixel diff.
 */
import type { TextSettings } from '../../../src/scene/types.ts';
import { measureText, renderText, TextSource, uploadText } from '../../../src/sources/text-render.ts';
import { postBytes } from '../../reference/page-io.ts';
import { withGpu } from './gpu-harness.ts';

interface RefLayout { lines: string[]; width: number; height: number }

/** Greedy word wrap by measureText; the test cases have no word wider than the wrap width. */
function referenceLines(ctx: CanvasRenderingContext2D, s: TextSettings): string[] {
  const out: string[] = [];
  for (const para of s.text.split('\n')) {
    if (s.wrapWidth <= 0) { out.push(para); continue; }
    let line = '';
    for (const word of para.split(/ +/)) {
      const next = line ? `${line} ${word}` : word;
      if (line && ctx.measureText(next).width > s.wrapWidth) { out.push(line); line = word; } else line = next;
    }
    out.push(line);
  }
  return out;
}

/** Draws `s` the way the spec says on a document canvas; returns straight-alpha RGBA. */
function drawReference(s: TextSettings): { rgba: Uint8Array; layout: RefLayout } {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d')!;
  const font = `${s.italic ? 'italic ' : ''}${s.bold ? 'bold ' : ''}${s.size}px ${s.font}`;
  ctx.font = font;
  const lines = referenceLines(ctx, s);
  const widths = lines.map((l) => ctx.measureText(l).width);
  const block = Math.max(...widths);
  const inset = s.padding + s.outlineWidth;
  const lineHeight = 1.2 * s.size;
  canvas.width = Math.ceil(block + 2 * inset);
  canvas.height = Math.ceil(lines.length * lineHeight + 2 * inset);
  if (s.background) { ctx.fillStyle = s.background; ctx.fillRect(0, 0, canvas.width, canvas.height); }
  ctx.font = font;
  ctx.textAlign = s.align;
  ctx.textBaseline = 'middle';
  const anchor = inset + (s.align === 'center' ? block / 2 : s.align === 'right' ? block : 0);
  const y = (i: number): number => inset + (i + 0.5) * lineHeight;
  if (s.outlineWidth > 0) {
    ctx.lineWidth = 2 * s.outlineWidth;
    ctx.lineJoin = 'round';
    ctx.strokeStyle = s.outlineColor;
    lines.forEach((l, i) => ctx.strokeText(l, anchor, y(i)));
  }
  ctx.fillStyle = s.color;
  lines.forEach((l, i) => ctx.fillText(l, anchor, y(i)));
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return { rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), layout: { lines, width: canvas.width, height: canvas.height } };
}

export interface RenderCaseResult {
  got: { lines: string[]; width: number; height: number };
  want: RefLayout;
  /** Each rendered line's advance width measured by a canvas in the settings' font. */
  lineWidths: number[];
}

/** Renders + uploads + reads back `s`; posts `${out}/got` (texture) and `${out}/want` (reference). */
export async function renderCase(s: TextSettings, out: string): Promise<RenderCaseResult> {
  await document.fonts.ready;
  return withGpu(async (t) => {
    const r = renderText(s);
    const tex = uploadText(t.device, r.canvas, r.width, r.height, null, 'text-test');
    try {
      const got = await t.readTexture(tex);
      const ref = drawReference(s);
      await postBytes(out, 'got', got);
      await postBytes(out, 'want', ref.rgba);
      return { got: { lines: r.layout.lines.map((l) => l.text), width: r.width, height: r.height }, want: ref.layout, lineWidths: r.layout.lines.map((l) => l.width) };
    } finally {
      tex.destroy();
    }
  });
}

/** Lines and their measured widths for each wrap width, from the renderer's layout. */
export function wrapLines(s: TextSettings, wraps: number[]): { wrap: number; lines: { text: string; width: number }[] }[] {
  const canvas = new OffscreenCanvas(1, 1);
  return wraps.map((wrap) => ({ wrap, lines: measureText({ ...s, wrapWidth: wrap }, canvas).lines.map(({ text, width }) => ({ text, width })) }));
}

export interface SourceObservation { step: string; renders: number; width: number; height: number; label: string | null; sameTexture: boolean; matchesRender: boolean | null }

/** Drives a TextSource through a sequence of settings and reports what it did after each. */
export async function sourceSteps(steps: { step: string; settings: TextSettings; check?: boolean }[]): Promise<SourceObservation[]> {
  await document.fonts.ready;
  return withGpu(async (t) => {
    const src = new TextSource(t.device, 'abc');
    const seen: SourceObservation[] = [];
    let prev: GPUTexture | null = null;
    for (const { step, settings, check } of steps) {
      src.update(settings);
      let matchesRender: boolean | null = null;
      if (check && src.texture) {
        // Straight alpha out of the texture must equal the canvas's own un-premultiplied read.
        const got = await t.readTexture(src.texture);
        const r = renderText(settings);
        const want = r.canvas.getContext('2d')!.getImageData(0, 0, r.width, r.height).data;
        matchesRender = got.length === want.length && got.every((v, i) => Math.abs(v - want[i]) <= 1);
      }
      seen.push({ step, renders: src.renders, width: src.width, height: src.height, label: src.texture?.label ?? null, sameTexture: src.texture === prev, matchesRender });
      prev = src.texture;
    }
    src.destroy();
    seen.push({ step: 'destroy', renders: src.renders, width: src.width, height: src.height, label: src.texture?.label ?? null, sameTexture: false, matchesRender: null });
    return seen;
  });
}

/** Uploads `s` and returns the texture's size and a few pixel statistics (no large readback when clipped). */
export async function edgeCase(s: TextSettings, readBack: boolean): Promise<{ width: number; height: number; clipped: boolean; distinct: string[] }> {
  await document.fonts.ready;
  return withGpu(async (t) => {
    const r = renderText(s);
    const tex = uploadText(t.device, r.canvas, r.width, r.height, null, 'text-edge');
    const distinct = new Set<string>();
    if (readBack) {
      const px = await t.readTexture(tex);
      for (let i = 0; i < px.length && distinct.size < 8; i += 4) distinct.add(`${px[i]},${px[i + 1]},${px[i + 2]},${px[i + 3]}`);
    }
    tex.destroy();
    return { width: tex.width, height: tex.height, clipped: r.layout.clipped, distinct: [...distinct] };
  });
}

/** Renders `s` in a module Web Worker (as the render worker does) and on this thread; true when the pixels are identical. */
export async function workerMatchesPage(s: TextSettings): Promise<{ identical: boolean; width: number; height: number }> {
  await document.fonts.ready;
  const mod = new URL('/src/sources/text-render.ts', location.origin).href;
  const src = `import { renderText } from ${JSON.stringify(mod)};
    onmessage = (e) => {
      const r = renderText(e.data);
      const px = r.canvas.getContext('2d').getImageData(0, 0, r.width, r.height).data;
      postMessage({ width: r.width, height: r.height, px }, [px.buffer]);
    };`;
  const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module' });
  try {
    const fromWorker = await new Promise<{ width: number; height: number; px: Uint8ClampedArray }>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`text worker: ${e.message}`));
      worker.postMessage(s);
    });
    const r = renderText(s);
    const px = r.canvas.getContext('2d')!.getImageData(0, 0, r.width, r.height).data;
    const identical = fromWorker.width === r.width && fromWorker.height === r.height && px.every((v, i) => v === fromWorker.px[i]);
    return { identical, width: r.width, height: r.height };
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}
