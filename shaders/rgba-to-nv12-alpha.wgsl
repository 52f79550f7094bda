// A transparent picture as the two NV12 images a VP9-with-alpha WebM carries: the colour
// (straight, not premultiplied: players composite it with the alpha themselves) as BT.709
// limited range, and the alpha as a second picture whose luma is the alpha byte itself (full
// range, chroma neutral 128), the way libvpx encodes and decoders read the alpha stream.
// Both go into one buffer (colour at 0, alpha at alphaOffset) so one readback brings both.
// One thread per 4x2 pixel block, as in rgba-to-nv12.wgsl.

struct Params {
  size: vec2u,       // even width and height
  stride: u32,       // bytes per row, a multiple of 4, for every plane
  uvOffset: u32,     // byte offset of a UV plane from its image's start
  alphaOffset: u32,  // byte offset of the alpha image
  yRow: vec4f,       // (r,g,b,1) → Y byte / 255
  uRow: vec4f,       // (r,g,b,1) → Cb byte / 255
  vRow: vec4f,       // (r,g,b,1) → Cr byte / 255
};

@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn lumaRow(a: vec4f, b: vec4f, c: vec4f, d: vec4f) -> vec4f {
  return p.yRow.x * vec4f(a.r, b.r, c.r, d.r) + p.yRow.y * vec4f(a.g, b.g, c.g, d.g)
       + p.yRow.z * vec4f(a.b, b.b, c.b, d.b) + p.yRow.w;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x0 = id.x * 4u;
  let y0 = id.y * 2u;
  if (x0 >= p.size.x || y0 >= p.size.y) { return; }
  // Lanes past a width that is not a multiple of 4 re-read the last column (row padding only).
  let xs = min(vec4u(x0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.size.x - 1u));
  let a0 = textureLoad(src, vec2u(xs.x, y0), 0);
  let a1 = textureLoad(src, vec2u(xs.y, y0), 0);
  let a2 = textureLoad(src, vec2u(xs.z, y0), 0);
  let a3 = textureLoad(src, vec2u(xs.w, y0), 0);
  let b0 = textureLoad(src, vec2u(xs.x, y0 + 1u), 0);
  let b1 = textureLoad(src, vec2u(xs.y, y0 + 1u), 0);
  let b2 = textureLoad(src, vec2u(xs.z, y0 + 1u), 0);
  let b3 = textureLoad(src, vec2u(xs.w, y0 + 1u), 0);

  let row0 = (y0 * p.stride + x0) >> 2u;
  let row1 = ((y0 + 1u) * p.stride + x0) >> 2u;
  dst[row0] = pack4x8unorm(lumaRow(a0, a1, a2, a3));
  dst[row1] = pack4x8unorm(lumaRow(b0, b1, b2, b3));
  let m0 = vec4f((a0.rgb + a1.rgb + b0.rgb + b1.rgb) * 0.25, 1.0);
  let m1 = vec4f((a2.rgb + a3.rgb + b2.rgb + b3.rgb) * 0.25, 1.0);
  let uv = (p.uvOffset + id.y * p.stride + x0) >> 2u;
  dst[uv] = pack4x8unorm(vec4f(dot(p.uRow, m0), dot(p.vRow, m0), dot(p.uRow, m1), dot(p.vRow, m1)));

  let alpha = p.alphaOffset >> 2u;
  dst[alpha + row0] = pack4x8unorm(vec4f(a0.a, a1.a, a2.a, a3.a));
  dst[alpha + row1] = pack4x8unorm(vec4f(b0.a, b1.a, b2.a, b3.a));
  dst[alpha + uv] = 0x80808080u;
}
