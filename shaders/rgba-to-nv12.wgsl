// Converts the RGBA output texture into NV12 (BT.709, limited range) in a storage buffer, for
// software encoders that would otherwise convert on the CPU. One thread per 4x2 pixel block:
// it writes two words of the Y plane (4 luma bytes on each of 2 rows) and one word of the
// interleaved UV plane (2 chroma pairs, each the mean of a 2x2 block).
//
// Each of the 8 texels is loaded once and reused for luma and both chroma means (texel loads
// are what SwiftShader, CI's CPU WebGPU, spends most of its time on). The math runs on vec4s,
// one lane per pixel of a row, and the rows are pre-divided by 255 so pack4x8unorm does the
// rounding, clamping and byte packing in one step.

struct Params {
  size: vec2u,     // even width and height
  stride: u32,     // bytes per row, a multiple of 4, for both planes
  uvOffset: u32,   // byte offset of the UV plane
  yRow: vec4f,     // (r,g,b,1) → Y byte / 255
  uRow: vec4f,     // (r,g,b,1) → Cb byte / 255
  vRow: vec4f,     // (r,g,b,1) → Cr byte / 255
};

@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

// The output may carry alpha (transparent background): encode it over black.
fn premul(c: vec4f) -> vec3f { return c.rgb * c.a; }

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x0 = id.x * 4u;
  let y0 = id.y * 2u;
  if (x0 >= p.size.x || y0 >= p.size.y) { return; }
  // A width that is not a multiple of 4 leaves lanes past the edge: they re-read the last
  // column and only fill the row padding.
  let xs = min(vec4u(x0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.size.x - 1u));
  let a0 = premul(textureLoad(src, vec2u(xs.x, y0), 0));
  let a1 = premul(textureLoad(src, vec2u(xs.y, y0), 0));
  let a2 = premul(textureLoad(src, vec2u(xs.z, y0), 0));
  let a3 = premul(textureLoad(src, vec2u(xs.w, y0), 0));
  let b0 = premul(textureLoad(src, vec2u(xs.x, y0 + 1u), 0));
  let b1 = premul(textureLoad(src, vec2u(xs.y, y0 + 1u), 0));
  let b2 = premul(textureLoad(src, vec2u(xs.z, y0 + 1u), 0));
  let b3 = premul(textureLoad(src, vec2u(xs.w, y0 + 1u), 0));

  let ya = p.yRow.x * vec4f(a0.r, a1.r, a2.r, a3.r) + p.yRow.y * vec4f(a0.g, a1.g, a2.g, a3.g)
         + p.yRow.z * vec4f(a0.b, a1.b, a2.b, a3.b) + p.yRow.w;
  let yb = p.yRow.x * vec4f(b0.r, b1.r, b2.r, b3.r) + p.yRow.y * vec4f(b0.g, b1.g, b2.g, b3.g)
         + p.yRow.z * vec4f(b0.b, b1.b, b2.b, b3.b) + p.yRow.w;
  dst[(y0 * p.stride + x0) >> 2u] = pack4x8unorm(ya);
  dst[((y0 + 1u) * p.stride + x0) >> 2u] = pack4x8unorm(yb);

  let m0 = vec4f((a0 + a1 + b0 + b1) * 0.25, 1.0);
  let m1 = vec4f((a2 + a3 + b2 + b3) * 0.25, 1.0);
  let uv = vec4f(dot(p.uRow, m0), dot(p.vRow, m0), dot(p.uRow, m1), dot(p.vRow, m1));
  dst[(p.uvOffset + id.y * p.stride + x0) >> 2u] = pack4x8unorm(uv);
}
