// Feather: separable Gaussian blur of the full-resolution mask (.r of rgba8unorm), h into an
// intermediate texture and v back, each rounded to 8 bits by the store. Weights one-sided.

struct Params {
  size: vec2u,
  radius: i32,
  _pad: u32,
  w: array<vec4f, 7>,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var src: texture_2d<f32>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;

fn weight(k: i32) -> f32 {
  let a = u32(abs(k));
  return p.w[a >> 2u][a & 3u];
}

fn run(id: vec3u, step: vec2i) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let size = vec2i(p.size);
  let at = vec2i(id.xy);
  var s = 0.0;
  for (var k = -p.radius; k <= p.radius; k++) {
    let q = clamp(at + step * k, vec2i(0), size - 1);
    s += weight(k) * textureLoad(src, q, 0).r;
  }
  let m = clamp(s, 0.0, 1.0);
  textureStore(dst, at, vec4f(m, m, m, 1.0));
}

@compute @workgroup_size(8, 8)
fn h(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(1, 0)); }

@compute @workgroup_size(8, 8)
fn v(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(0, 1)); }
