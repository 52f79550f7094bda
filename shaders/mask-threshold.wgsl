// Soft threshold: smoothstep(t - s/2, t + s/2, m); softness 0 is a hard step (m >= t → 1),
// which WGSL's smoothstep leaves undefined, hence the explicit form.

struct Params {
  size: vec2u,
  threshold: f32,
  softness: f32,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let i = id.y * p.size.x + id.x;
  let m = src[i];
  if (p.softness <= 0.0) {
    dst[i] = select(0.0, 1.0, m >= p.threshold);
    return;
  }
  let lo = p.threshold - 0.5 * p.softness;
  let t = clamp((m - lo) / p.softness, 0.0, 1.0);
  dst[i] = t * t * (3.0 - 2.0 * t);
}
