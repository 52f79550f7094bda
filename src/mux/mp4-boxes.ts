import type { Chapter } from '../util/types.ts';

/** One top-level box of an MP4 file: its four-letter type, where it starts and how long it is. */
export interface BoxRef { type: string; start: number; size: number }

/** Nero chapter lists (chpl) count chapters in one byte. */
export const MAX_CHAPTERS = 255;
const MAX_TITLE_BYTES = 255;

/**
 * The top-level boxes of an MP4, read from their headers only (16 bytes each, however large
 * the file). `truncated` is set when the last box claims more bytes than the file has, which is
 * what a recording cut off by a crash looks like.
 */
export async function topLevelBoxes(file: Blob): Promise<{ boxes: BoxRef[]; truncated: boolean }> {
  const boxes: BoxRef[] = [];
  let pos = 0;
  while (pos + 8 <= file.size) {
    const head = new DataView(await file.slice(pos, pos + 16).arrayBuffer());
    let size = head.getUint32(0);
    const type = String.fromCharCode(head.getUint8(4), head.getUint8(5), head.getUint8(6), head.getUint8(7));
    if (size === 1) {
      if (head.byteLength < 16) return { boxes, truncated: true };
      size = Number(head.getBigUint64(8));
    } else if (size === 0) {
      size = file.size - pos;
    }
    if (size < 8 || !/^[\x20-\x7e]{4}$/.test(type)) return { boxes, truncated: true };
    if (pos + size > file.size) return { boxes: [...boxes, { type, start: pos, size }], truncated: true };
    boxes.push({ type, start: pos, size });
    pos += size;
  }
  return { boxes, truncated: pos !== file.size };
}

/**
 * Whether the boxes make a whole, regular (non-fragmented) MP4 with its index in front:
 * ftyp, then moov before mdat, no movie fragments, and nothing cut off.
 */
export function isRegularFastStart(layout: { boxes: BoxRef[]; truncated: boolean }): boolean {
  const types = layout.boxes.map((b) => b.type);
  const moov = types.indexOf('moov'), mdat = types.indexOf('mdat');
  return !layout.truncated && types[0] === 'ftyp' && moov > 0 && mdat > moov && !types.includes('moof');
}

/** Whether the boxes are those of a fragmented MP4 (movie fragments after the header). */
export function isFragmented(layout: { boxes: BoxRef[] }): boolean {
  return layout.boxes.some((b) => b.type === 'moof');
}

/**
 * The body of a Nero chapter box (`moov/udta/chpl`), which ffmpeg and most players read:
 * version 1, a reserved word, the chapter count, then per chapter its start in 100 ns units
 * and a UTF-8 title of at most 255 bytes. Chapters are sorted; beyond 255 are left out.
 */
export function chplBody(chapters: readonly Chapter[]): Uint8Array {
  const sorted = [...chapters].sort((a, b) => a.timeMs - b.timeMs).slice(0, MAX_CHAPTERS);
  const titles = sorted.map((c) => utf8Prefix(c.title, MAX_TITLE_BYTES));
  const out = new Uint8Array(9 + titles.reduce((n, t) => n + 9 + t.byteLength, 0));
  const view = new DataView(out.buffer);
  out[0] = 1; // version 1: a reserved 32-bit word follows the flags
  out[8] = sorted.length;
  let pos = 9;
  sorted.forEach((c, i) => {
    view.setBigUint64(pos, BigInt(Math.max(0, Math.round(c.timeMs * 10_000))));
    out[pos + 8] = titles[i]!.byteLength;
    out.set(titles[i]!, pos + 9);
    pos += 9 + titles[i]!.byteLength;
  });
  return out;
}

/** The longest UTF-8 encoding of `text` within `maxBytes` that does not split a character. */
export function utf8Prefix(text: string, maxBytes: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= maxBytes) return bytes;
  let end = maxBytes;
  // Continuation bytes are 10xxxxxx: back up to the start of the character that was cut.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}
