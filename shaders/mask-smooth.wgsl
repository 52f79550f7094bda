// Contour smoothing: separable Gaussian blur at mask resolution (rounds jagged contours and
// removes specks), then smoothstep(0, 1) in the vertical pass so the blurred edge does not
// widen. Weights are one-sided (w[0] = centre), computed once on the CPU.

struct Params {
  size: vec2u,
  radius: i32,
  sharpen: u32,
  w: array<vec4f, 2>,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn weight(k: i32) -> f32 {
  let a = u32(abs(k));
  return p.w[a >> 2u][a & 3u];
}

fn run(id: vec3u, step: vec2i, sharpen: bool) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let size = vec2i(p.size);
  let at = vec2i(id.xy);
  var s = 0.0;
  for (var k = -p.radius; k <= p.radius; k++) {
    let q = clamp(at + step * k, vec2i(0), size - 1);
    s += weight(k) * src[q.y * size.x + q.x];
  }
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
