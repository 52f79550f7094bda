// Shared by mask-smooth.wgsl and mask-feather.wgsl, whose passes prepend it (after MAX_RADIUS,
// which they set from their TypeScript constant): the params of a separable Gaussian with
// one-sided weights (w[0] = centre), and its weighted sum along one axis. Each shader defines
// tap(q), the value at pixel q.

struct Params {
  size: vec2u,
  radius: i32,
  sharpen: u32, // mask-smooth: smoothstep after the vertical pass; mask-feather leaves it 0
  // Weight of offset k in w[k].x: a component picked by a loop index makes SwiftShader index
  // the vector dynamically, which cost more than the taps themselves.
  w: array<vec4f, MAX_RADIUS + 1u>,
};

@group(0) @binding(0) var<uniform> p: Params;

fn weight(k: i32) -> f32 { return p.w[abs(k)].x; }

// Σ weight(k) · tap(at + k·step) for |k| ≤ radius, taps clamped to the edges.
fn gaussian(at: vec2i, step: vec2i) -> f32 {
  let size = vec2i(p.size);
  var s = 0.0;
  for (var k = -p.radius; k <= p.radius; k++) {
    s += weight(k) * tap(clamp(at + step * k, vec2i(0), size - 1));
  }
  return s;
}
