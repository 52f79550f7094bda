// Converts the RGBA output texture into NV12 (BT.709, limited range) in a storage buffer, for
// software encoders that would otherwise convert on the CPU. One thread per 4x2 pixel block:
// it writes two words of the Y plane (4 luma bytes on each of 2 rows) and one word of the
// interleaved UV plane (2 chroma pairs, each the mean of a 2x2 block).

struct Params {
  size: vec2u,     // even width and height
  stride: u32,     // bytes per row, a multiple of 4, for both planes
  uvOffset: u32,   // byte offset of the UV plane
  yRow: vec4f,     // (r,g,b,1) → Y byte
  uRow: vec4f,     // (r,g,b,1) → Cb byte
  vRow: vec4f,     // (r,g,b,1) → Cr byte
};

@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn rgbAt(x: u32, y: u32) -> vec4f {
  let c = textureLoad(src, vec2u(min(x, p.size.x - 1u), min(y, p.size.y - 1u)), 0);
  // The output may carry alpha (transparent background): encode it over black.
  return vec4f(c.rgb * c.a, 1.0);
}

fn toByte(v: f32) -> u32 { return u32(clamp(round(v), 0.0, 255.0)); }

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x0 = id.x * 4u;
  let y0 = id.y * 2u;
  if (x0 >= p.size.x || y0 >= p.size.y) { return; }
  var uv: u32 = 0u;
  for (var row = 0u; row < 2u; row++) {
    var word: u32 = 0u;
    for (var i = 0u; i < 4u; i++) {
      let c = rgbAt(x0 + i, y0 + row);
      word |= toByte(dot(p.yRow, c)) << (i * 8u);
    }
    dst[((y0 + row) * p.stride + x0) >> 2u] = word;
  }
  for (var k = 0u; k < 2u; k++) {
    let x = x0 + k * 2u;
    let m = (rgbAt(x, y0) + rgbAt(x + 1u, y0) + rgbAt(x, y0 + 1u) + rgbAt(x + 1u, y0 + 1u)) * 0.25;
    uv |= toByte(dot(p.uRow, m)) << (k * 16u);
    uv |= toByte(dot(p.vRow, m)) << (k * 16u + 8u);
  }
  dst[(p.uvOffset + id.y * p.stride + x0) >> 2u] = uv;
}
