// One frame of a scene transition, from the two scenes' composed pictures (both opaque, the
// program's size). The shift of slide and swipe is whole pixels, so they copy texels unfiltered.

struct Params {
  size: vec2u,
  kind: u32,       // 0 fade, 1 slide, 2 swipe, 3 fade to colour
  direction: u32,  // where the new scene moves: 0 left, 1 right, 2 up, 3 down
  t: f32,          // progress 0..1
  shift: u32,      // pixels the new scene has moved in (slide, swipe)
  color: vec4f,    // fade to colour: straight RGB, alpha 1
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var from_scene: texture_2d<f32>;
@group(0) @binding(2) var to_scene: texture_2d<f32>;
@group(0) @binding(3) var dst: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let xy = vec2i(id.xy);
  var out: vec4f;
  if (p.kind == 0u) {
    out = mix(textureLoad(from_scene, xy, 0), textureLoad(to_scene, xy, 0), p.t);
  } else if (p.kind == 3u) {
    // The colour fills the screen at the half-way point.
    if (p.t < 0.5) {
      out = mix(textureLoad(from_scene, xy, 0), p.color, p.t * 2.0);
    } else {
      out = mix(p.color, textureLoad(to_scene, xy, 0), p.t * 2.0 - 1.0);
    }
  } else {
    // Along the moving axis, counted from the side the new scene comes in from.
    let horizontal = p.direction < 2u;
    let flipped = p.direction == 1u || p.direction == 3u;
    let len = select(i32(p.size.y), i32(p.size.x), horizontal);
    let c0 = select(xy.y, xy.x, horizontal);
    let c = select(c0, len - 1 - c0, flipped);
    let s = i32(p.shift);
    var src_c: i32;
    var from_new: bool;
    if (p.kind == 1u) {
      // Slide: both scenes move; the old one leaves as the new one enters.
      from_new = c + s >= len;
      src_c = select(c + s, c + s - len, from_new);
    } else {
      // Swipe: the new scene moves in over the old one, which stays.
      from_new = c >= len - s;
      src_c = select(c, c - (len - s), from_new);
    }
    let sc = select(src_c, len - 1 - src_c, flipped);
    let sxy = select(vec2i(xy.x, sc), vec2i(sc, xy.y), horizontal);
    out = select(textureLoad(from_scene, sxy, 0), textureLoad(to_scene, sxy, 0), from_new);
  }
  textureStore(dst, xy, vec4f(out.rgb, 1.0));
}
