// Separable dilate (max) / erode (min) over a (2r+1)^2 square, clamp-to-edge borders.
// h runs along rows, v along columns; radius 0 copies.

struct Params {
  size: vec2u,
  radius: i32,
  dilate: u32,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn pick(a: f32, b: f32) -> f32 {
  return select(min(a, b), max(a, b), p.dilate == 1u);
}

fn run(id: vec3u, step: vec2i) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let size = vec2i(p.size);
  let at = vec2i(id.xy);
  var v = src[id.y * p.size.x + id.x];
  for (var k = 1; k <= p.radius; k++) {
    let a = clamp(at - step * k, vec2i(0), size - 1);
    let b = clamp(at + step * k, vec2i(0), size - 1);
    v = pick(v, pick(src[a.y * size.x + a.x], src[b.y * size.x + b.x]));
  }
  dst[id.y * p.size.x + id.x] = v;
}

@compute @workgroup_size(8, 8)
fn h(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(1, 0)); }

@compute @workgroup_size(8, 8)
fn v(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(0, 1)); }
