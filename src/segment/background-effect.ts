/**
 * What the background pass does with the pixels the mask calls "not person". Shared by the UI,
 * the studio state and the render worker, so it stays plain data (a Blob survives postMessage).
 */
export type BackgroundEffect = (
  | { type: 'none' }
  | { type: 'blur'; strength?: number }
  | { type: 'color'; color: string /* CSS hex like '#00ff00' */ }
  | { type: 'image'; image?: Blob }
  | { type: 'transparent' }
) & {
  /** 0..1: how much background colour spills onto the person's edge (light wrap). */
  lightWrap?: number;
};

/** Default blur strength when `strength` is omitted. */
export const DEFAULT_BLUR_STRENGTH = 0.5;

/** Parses '#rgb', '#rgba', '#rrggbb' or '#rrggbbaa' into straight RGBA in 0..1; throws on anything else. */
export function parseHexColor(hex: string): [number, number, number, number] {
  const m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a CSS hex colour: ${JSON.stringify(hex)}`);
  let s = m[1];
  if (s.length <= 4) s = [...s].map((c) => c + c).join('');
  if (s.length === 6) s += 'ff';
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16) / 255;
  return out;
}
