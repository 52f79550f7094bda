// Contour smoothing: separable Gaussian blur at mask resolution (rounds jagged contours and
// removes specks), then smoothstep(0, 1) in the vertical pass so the blurred edge does not
// widen. Params, weight() and gaussian() come from separable-gaussian.wgsl, prepended by
// mask-smooth.ts; the weights are computed once on the CPU.

@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn tap(q: vec2i) -> f32 { return src[q.y * i32(p.size.x) + q.x]; }

fn run(id: vec3u, step: vec2i, sharpen: bool) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  var s = gaussian(vec2i(id.xy), step);
  if (sharpen) {
    let t = clamp(s, 0.0, 1.0);
    s = t * t * (3.0 - 2.0 * t);
  }
  dst[id.y * p.size.x + id.x] = s;
}

@compute @workgroup_size(8, 8)
fn h(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(1, 0), false); }

@compute @workgroup_size(8, 8)
fn v(@builtin(global_invocation_id) id: vec3u) { run(id, vec2i(0, 1), p.sharpen == 1u); }
