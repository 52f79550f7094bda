// Feather: separable Gaussian blur of the full-resolution mask (.r of rgba8unorm), h into an
// intermediate texture and v back, each rounded to 8 bits by the store. Params, weight() and
// gaussian() come from separable-gaussian.wgsl, prepended by mask-feather.ts.

@group(0) @binding(1) var src: texture_2d<f32>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;

fn tap(q: vec2i) -> f32 { return textureLoad(src, q, 0).r; }

fn run(id: vec3u, step: vec2i) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let at = vec2i(id.xy);
  let m = clamp(gaussian(at, step), 0.0, 1.0);
  textureStore(dst, at, vec4f(m, m, m, 1.0));
}

@compute @workgroup_size(8, 8)
fn h(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(1, 0)); }

@compute @workgroup_size(8, 8)
fn v(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(0, 1)); }
