/**
 * Text layout rules (src/sources/text-layout.ts) with a fake monospace measure: 10 px per
 * character, 5 px per space, so every expected width below is countable by hand.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, type TextSettings } from '../../src/scene/types.ts';
import { breakLines, fontString, layoutText, MAX_TEXT_SIZE } from '../../src/sources/text-layout.ts';

const measure = (s: string): number => {
  let w = 0;
  for (const ch of s) w += ch === ' ' ? 5 : 10;
  return w;
};
const text = (over: Partial<TextSettings>): TextSettings => ({ ...DEFAULT_TEXT, padding: 0, ...over });

describe('fontString', () => {
  it('builds the CSS shorthand', () => {
    expect(fontString(text({}))).toBe('48px sans-serif');
    expect(fontString(text({ bold: true, italic: true, size: 20, font: 'Arial, sans-serif' }))).toBe('italic bold 20px Arial, sans-serif');
    expect(fontString(text({ font: '  ', size: -3 }))).toBe('1px sans-serif');
  });
});

describe('breakLines', () => {
  it('keeps explicit newlines (LF, CRLF, CR) and empty lines', () => {
    expect(breakLines('a\nb\r\nc\rd\n\ne', 0, measure)).toEqual(['a', 'b', 'c', 'd', '', 'e']);
  });

  it('does not wrap when wrapWidth is 0 or the line fits', () => {
    expect(breakLines('hello world again', 0, measure)).toEqual(['hello world again']);
    expect(breakLines('hello world', 105, measure)).toEqual(['hello world']);
  });

  it('wraps greedily at spaces, dropping the space at each break', () => {
    // "one two" = 30 + 5 + 30 = 65; "+ three" would make 120.
    expect(breakLines('one two three four', 70, measure)).toEqual(['one two', 'three', 'four']);
    expect(breakLines('one two three four', 115, measure)).toEqual(['one two', 'three four']);
  });

  it('consumes runs of spaces at a break but keeps them inside a line and at the start', () => {
    expect(breakLines('  ab  cd   efgh', 70, measure)).toEqual(['  ab  cd', 'efgh']);
    expect(breakLines('ab     cd', 30, measure)).toEqual(['ab', 'cd']);
  });

  it('breaks a word wider than the wrap width between characters', () => {
    expect(breakLines('abcdefghij xy', 34, measure)).toEqual(['abc', 'def', 'ghi', 'j', 'xy']);
    // The last piece of a broken word takes the next word when it fits.
    expect(breakLines('abcdefghij xy', 35, measure)).toEqual(['abc', 'def', 'ghi', 'j xy']);
    expect(breakLines('abcd e', 45, measure)).toEqual(['abcd', 'e']);
    expect(breakLines('abcdefg h', 50, measure)).toEqual(['abcde', 'fg h']);
  });

  it('puts at least one character on a line even when a character is wider than the wrap width', () => {
    expect(breakLines('abc', 4, measure)).toEqual(['a', 'b', 'c']);
  });

  it('never splits a grapheme (combining accent, emoji with modifier)', () => {
    const lines = breakLines('e\u0301e\u0301e\u0301 👍🏽👍🏽', 1, measure);
    expect(lines).toEqual(['e\u0301', 'e\u0301', 'e\u0301', '👍🏽', '👍🏽']);
  });

  it('no line is wider than the wrap width unless it is a single grapheme', () => {
    const sample = 'The quick brown fox jumps over the lazy dog; Pneumonoultramicroscopicsilicovolcanoconiosis is long.\nSecond  paragraph   here';
    for (const wrap of [1, 15, 40, 75, 120, 333]) {
      for (const line of breakLines(sample, wrap, measure)) {
        if ([...line].length > 1) expect(measure(line), `"${line}" at wrap ${wrap}`).toBeLessThanOrEqual(wrap);
      }
    }
  });
});

describe('layoutText', () => {
  it('sizes the texture as block + 2 × (padding + outline), line height 1.2 × size', () => {
    const l = layoutText(text({ text: 'abc\nab', size: 10, padding: 4, outlineWidth: 2 }), measure);
    expect(l.inset).toBe(6);
    expect(l.lineHeight).toBe(12);
    expect(l.width).toBe(30 + 12);
    expect(l.height).toBe(24 + 12);
    expect(l.lines.map((x) => [x.text, x.x, x.y])).toEqual([['abc', 6, 12], ['ab', 6, 24]]);
    expect(l.clipped).toBe(false);
  });

  it('aligns lines within the block', () => {
    const center = layoutText(text({ text: 'abcd\nab', size: 10, align: 'center' }), measure);
    expect(center.lines.map((x) => x.x)).toEqual([0, 10]);
    const right = layoutText(text({ text: 'abcd\nab\n', size: 10, align: 'right' }), measure);
    expect(right.lines.map((x) => x.x)).toEqual([0, 20, 40]);
  });

  it('rounds fractional sizes up', () => {
    const l = layoutText(text({ text: 'a', size: 11, padding: 0.3 }), (s) => s.length * 6.1);
    expect(l.width).toBe(Math.ceil(6.1 + 0.6));
    expect(l.height).toBe(Math.ceil(13.2 + 0.6));
  });

  it('gives at least 1×1 for empty text without padding', () => {
    const l = layoutText(text({ text: '', size: 0 }), measure);
    expect([l.width, l.height]).toEqual([1, 2]);
    expect(layoutText(text({ text: '', size: 0.1 }), () => 0).width).toBe(1);
  });

  it('whitespace-only text still lays out', () => {
    const l = layoutText(text({ text: '   \n ', size: 10, padding: 2 }), measure);
    expect(l.lines.map((x) => x.text)).toEqual(['   ', ' ']);
    expect([l.width, l.height]).toEqual([19, 28]);
  });

  it('clips at MAX_TEXT_SIZE instead of refusing', () => {
    const l = layoutText(text({ text: 'x'.repeat(1000) + '\n'.repeat(500), size: 40 }), measure);
    expect(l.width).toBe(MAX_TEXT_SIZE);
    expect(l.height).toBe(MAX_TEXT_SIZE);
    expect(l.fullWidth).toBe(10000);
    expect(l.clipped).toBe(true);
  });

  it('treats negative or non-finite numbers as 0', () => {
    const l = layoutText(text({ text: 'ab', size: 10, padding: -5, outlineWidth: Number.NaN, wrapWidth: -1 }), measure);
    expect(l.inset).toBe(0);
    expect([l.width, l.height]).toEqual([20, 12]);
  });
});
