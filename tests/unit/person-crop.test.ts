import { describe, expect, it } from 'vitest';
import { boundsToFrame, maskBounds, personCrop } from '../../src/segment/person-crop.ts';

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
