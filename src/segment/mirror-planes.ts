/** Mirror averaging on the CPU (wasm backend), and the reference for shaders/mirror-average.wgsl. */

/** Mirrors `planes` planes of an NCHW f32 tensor left to right (CPU side of the same operation). */
export function mirrorPlanes(src: Float32Array, planes: number, width: number, height: number, dst = new Float32Array(src.length)): Float32Array {
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < height; y++) {
      const row = (c * height + y) * width;
      for (let x = 0; x < width; x++) dst[row + x] = src[row + width - 1 - x]!;
    }
  }
  return dst;
}

/** `a` averaged in place with `b` mirrored back: the mask of a frame and of its mirror image, combined. */
export function averageMirrored(a: Float32Array, b: Float32Array, width: number, height: number): Float32Array {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) a[row + x] = 0.5 * (a[row + x]! + b[row + width - 1 - x]!);
  }
  return a;
}
