// Converts a VideoFrame's raw planes (copied with VideoFrame.copyTo into a storage buffer)
// into the working RGBA texture. One thread per output pixel.
// Formats: 0 = I420, 1 = NV12, 2 = RGBA/RGBX, 3 = BGRA/BGRX.

struct Params {
  size: vec2u,
  format: u32,
  opaque: u32,          // 1 → ignore the alpha byte (RGBX/BGRX)
  offsets: vec4u,       // byte offset of planes 0,1,2
  strides: vec4u,       // byte stride of planes 0,1,2
  row0: vec4f,          // (y,u,v,1) → R
  row1: vec4f,          // (y,u,v,1) → G
  row2: vec4f,          // (y,u,v,1) → B
};

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;

fn byteAt(offset: u32) -> f32 {
  let word = src[offset >> 2u];
  return f32((word >> ((offset & 3u) * 8u)) & 0xffu) / 255.0;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  var rgba: vec4f;
  if (p.format <= 1u) {
    let y = byteAt(p.offsets.x + id.y * p.strides.x + id.x);
    let cx = id.x >> 1u;
    let cy = id.y >> 1u;
    var u: f32;
    var v: f32;
    if (p.format == 0u) {
      u = byteAt(p.offsets.y + cy * p.strides.y + cx);
      v = byteAt(p.offsets.z + cy * p.strides.z + cx);
    } else {
      let o = p.offsets.y + cy * p.strides.y + cx * 2u;
      u = byteAt(o);
      v = byteAt(o + 1u);
    }
    let yuv1 = vec4f(y, u, v, 1.0);
    rgba = vec4f(dot(p.row0, yuv1), dot(p.row1, yuv1), dot(p.row2, yuv1), 1.0);
  } else {
    let word = src[(p.offsets.x + id.y * p.strides.x + id.x * 4u) >> 2u];
    let c = unpack4x8unorm(word);
    rgba = select(c, c.bgra, p.format == 3u);
    if (p.opaque == 1u) { rgba.a = 1.0; }
  }
  textureStore(dst, vec2i(id.xy), clamp(rgba, vec4f(0.0), vec4f(1.0)));
}
