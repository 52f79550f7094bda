// What the camera readers (camera-texture.wgsl, camera-planes.wgsl) hand a pass: a 4x2 block
// of pixels, one pixel per vector lane. On SwiftShader (CI's CPU WebGPU) a pass pays per
// invocation and per load, so a block shares its loads (one word of luma per row of four, one
// of chroma for all eight) and the math runs on vec4s.
//
// camBlock(x0, y0): x0 a multiple of 4, y0 even. `bottom` repeats `top` past the last row;
// lanes past the right edge hold whatever the row's padding decodes to, and callers do not
// use them.

struct CamRow { r: vec4f, g: vec4f, b: vec4f, a: vec4f };
struct CamBlock { top: CamRow, bottom: CamRow };

// Every pass that reads the camera defines camPixel, its work on pixel q of colour c (straight
// alpha), and runs it through camPixels: the 4x2 block of thread `id` (x0 = 4·id.x,
// y0 = 2·id.y, dispatched in rows of 64), clipped to `size`.
fn camPixels(id: vec2u, size: vec2u) {
  let x0 = id.x * 4u;
  let y0 = id.y * 2u;
  if (x0 >= size.x || y0 >= size.y) { return; }
  let b = camBlock(x0, y0);
  camPixelRow(x0, y0, b.top, size.x);
  if (y0 + 1u < size.y) { camPixelRow(x0, y0 + 1u, b.bottom, size.x); }
}

// Unrolled with constant lane indices: a loop with r.r[i] makes SwiftShader index vectors dynamically.
fn camPixelRow(x0: u32, y: u32, r: CamRow, width: u32) {
  camPixel(vec2u(x0, y), vec4f(r.r.x, r.g.x, r.b.x, r.a.x));
  if (x0 + 1u < width) { camPixel(vec2u(x0 + 1u, y), vec4f(r.r.y, r.g.y, r.b.y, r.a.y)); }
  if (x0 + 2u < width) { camPixel(vec2u(x0 + 2u, y), vec4f(r.r.z, r.g.z, r.b.z, r.a.z)); }
  if (x0 + 3u < width) { camPixel(vec2u(x0 + 3u, y), vec4f(r.r.w, r.g.w, r.b.w, r.a.w)); }
}
