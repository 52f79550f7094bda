// Puts a decoded video frame upright and at an even size for the encoder, in one copy:
// dst(x, y) = src(the texel that a clockwise rotation by `rotation` degrees moves to (x, y)).
// The destination may be one texel narrower or shorter than the rotated source (odd sizes are
// cut to even for 4:2:0 encoders): the last column or row is simply not read.

struct Params {
  dstSize: vec2u,
  srcSize: vec2u,
  rotation: u32,   // 0, 90, 180 or 270, clockwise
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var src: texture_2d<f32>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.dstSize.x || id.y >= p.dstSize.y) { return; }
  let w = p.srcSize.x;
  let h = p.srcSize.y;
  var s = id.xy;
  if (p.rotation == 90u) {
    s = vec2u(id.y, h - 1u - id.x);
  } else if (p.rotation == 180u) {
    s = vec2u(w - 1u - id.x, h - 1u - id.y);
  } else if (p.rotation == 270u) {
    s = vec2u(w - 1u - id.y, id.x);
  }
  textureStore(dst, id.xy, textureLoad(src, s, 0));
}
