import { describe, expect, it } from 'vitest';
import { boundsToFrame, CropTracker, maskBounds, personCrop } from '../../src/segment/person-crop.ts';

describe('person crop', () => {
  it('finds the bounds of the person in a mask, or none', () => {
    const w = 16, h = 8, m = new Float32Array(w * h);
    expect(maskBounds(m, w, h)).toBeNull();
    for (let y = 2; y < 6; y++) for (let x = 5; x < 9; x++) m[y * w + x] = 0.9;
    expect(maskBounds(m, w, h)).toEqual({ x: 5, y: 2, width: 4, height: 4 });
  });

  it('pads a small person into a square inside the frame', () => {
    // A 100×200 person in a 1280×720 frame: side 200 × 1.44 = 288.
    const c = personCrop({ x: 600, y: 300, width: 100, height: 200 }, 1280, 720)!;
    expect(c).toEqual({ x: 506, y: 256, width: 288, height: 288 });
  });

  it('moves the crop inside the frame at an edge and cuts it where the frame is narrower', () => {
    const c = personCrop({ x: 0, y: 500, width: 80, height: 200 }, 1280, 720)!;
    expect(c.x).toBe(0);
    expect(c.y + c.height).toBe(720);
    const tall = personCrop({ x: 500, y: 0, width: 150, height: 600 }, 1280, 720, 0.22, 0.9)!;
    expect(tall.height).toBe(720);
    expect(tall.width).toBe(Math.ceil(600 * 1.44));
  });

  it('gives up when the crop would be most of the frame', () => {
    expect(personCrop({ x: 100, y: 50, width: 400, height: 400 }, 640, 480)).toBeNull();
  });

  it('maps mask bounds of a crop pass back to frame pixels', () => {
    expect(boundsToFrame({ x: 64, y: 0, width: 128, height: 256 }, 256, 256, { x: 100, y: 50, width: 512, height: 512 }))
      .toEqual({ x: 228, y: 50, width: 256, height: 512 });
  });
});

describe('CropTracker', () => {
  const square = (x: number, y: number, s: number) => ({ x, y, width: s, height: s });
  it('looks at the whole frame first, then follows the person, and again at least once a second', () => {
    const t = new CropTracker(1280, 720);
    expect(t.next(0)).toBeNull();
    // Full-frame mask 256×256 over 1280×720: a person at mask x 120..136, y 100..180.
    t.observe(null, { x: 120, y: 100, width: 16, height: 80 }, 256, 256, 0);
    const c = t.next(10)!;
    expect(c).not.toBeNull();
    expect(c.width).toBe(c.height);
    // The same 80×225 px person seen in the 326 px crop, then moved by a pixel: the crop stays put.
    t.observe(c, { x: 96, y: 40, width: 63, height: 177 }, 256, 256, 50);
    expect(t.next(60)).toEqual(c);
    t.observe(c, { x: 98, y: 41, width: 62, height: 176 }, 256, 256, 90);
    expect(t.next(100)).toEqual(c);
    expect(t.next(1000)).toBeNull();
    expect(t.fullPasses).toBe(1);
    expect(t.cropPasses).toBe(2);
  });

  it('goes back to the whole frame when the person vanishes or touches the crop edge', () => {
    const t = new CropTracker(1280, 720);
    t.observe(null, { x: 120, y: 100, width: 16, height: 80 }, 256, 256, 0);
    const c = t.next(1)!;
    t.observe(c, null, 256, 256, 5);
    expect(t.next(6)).toBeNull();
    t.observe(null, { x: 120, y: 100, width: 16, height: 80 }, 256, 256, 10);
    const d = t.next(11)!;
    t.observe(d, { x: 200, y: 40, width: 56, height: 100 }, 256, 256, 20);
    expect(t.next(21)).toBeNull();
  });

  it('stays on the whole frame when the person fills most of it', () => {
    const t = new CropTracker(640, 480);
    t.observe(null, square(20, 10, 220), 256, 256, 0);
    expect(t.next(5)).toBeNull();
  });
});
