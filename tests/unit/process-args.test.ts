import { describe, expect, it } from 'vitest';
import { parseArgs, parseBackground, progressBar } from '../../scripts/process-args.ts';

describe('npm run process arguments', () => {
  it('reads inputs, the output folder and every background form', () => {
    expect(parseArgs(['a.mp4', 'b.mov', '-o', 'out', '--background', 'blur'])).toMatchObject({ inputs: ['a.mp4', 'b.mov'], outDir: 'out', background: { type: 'blur' }, gpu: 'swiftshader' });
    expect(parseBackground('color:#00FF00')).toEqual({ type: 'color', color: '#00FF00' });
    expect(parseBackground('colour:#123456')).toEqual({ type: 'color', color: '#123456' });
    expect(parseBackground('image:/tmp/beach.jpg')).toEqual({ type: 'image', path: '/tmp/beach.jpg' });
    expect(parseArgs(['x', '--out=o', '--background=transparent', '--codec', 'vp9', '--container', 'webm', '--bitrate', '2000000', '--gpu', 'system']))
      .toMatchObject({ background: { type: 'transparent' }, codec: 'vp9', container: 'webm', bitrate: 2e6, gpu: 'system' });
  });
  it('explains what is wrong', () => {
    expect(() => parseArgs(['-o', 'out', '--background', 'blur'])).toThrow(/at least one input/);
    expect(() => parseArgs(['a.mp4', '--background', 'blur'])).toThrow(/-o OUT_DIR/);
    expect(() => parseArgs(['a.mp4', '-o', 'o'])).toThrow(/Choose a background/);
    expect(() => parseArgs(['a.mp4', '-o', 'o', '--background', 'color:green'])).toThrow(/#RRGGBB/);
    expect(() => parseArgs(['a.mp4', '-o', 'o', '--background', 'sky'])).toThrow(/not one of/);
    expect(() => parseArgs(['a.mp4', '-o', 'o', '-b', 'blur', '--codec', 'h264'])).toThrow(/avc, vp9/);
    expect(() => parseArgs(['a.mp4', '-o', 'o', '-b', 'blur', '--fast'])).toThrow(/Unknown option --fast/);
    expect(() => parseArgs(['a.mp4', '-o'])).toThrow(/-o needs a value/);
  });
  it('draws a progress bar', () => {
    expect(progressBar(15, 30, 3.25, '0:05', 'talk.mp4', 10)).toBe('[#####-----]  50%  15/30 frames  3.3 fps  ETA 0:05  talk.mp4');
  });
});
