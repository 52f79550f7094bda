// Contour smoothing: separable Gaussian blur at mask resolution (rounds jagged contours and
// removes specks), then smoothstep(0, 1) in the vertical pass so the blurred edge does not
// widen. Params, weight() and gaussian() come from separable-gaussian.wgsl, prepended by
// mask-smooth.ts; the weights are computed once on the CPU, zero past the radius.
//
// Four pixels of a row per thread, as vec4 loads (the mask width is a multiple of 4): on
// SwiftShader the cost is per load, and a vec4 load does the work of four. The row pass reads
// the five groups around its own once and takes all 13 taps of MAX_RADIUS = 6 (checked by
// mask-smooth.ts) with fixed swizzles; groups whose taps reach past an edge take the scalar
// path, which clamps each tap to the edge like the reference.

@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

// The value at pixel q (in range), for gaussian() on the edge groups.
fn tap(q: vec2i) -> f32 {
  let i = u32(q.y) * p.size.x + u32(q.x);
  return src[i >> 2u][i & 3u];
}

fn sharpened(s: vec4f) -> vec4f {
  let t = clamp(s, vec4f(0.0), vec4f(1.0));
  return t * t * (3.0 - 2.0 * t);
}

@compute @workgroup_size(8, 8)
fn h(@builtin(global_invocation_id) id: vec3u) {
  let qw = p.size.x / 4u;
  if (id.x >= qw || id.y >= p.size.y) { return; }
  let row = id.y * qw;
  if (id.x < 2u || id.x + 2u >= qw) {
    let at = vec2i(i32(id.x) * 4, i32(id.y));
    let step = vec2i(1, 0);
    dst[row + id.x] = vec4f(gaussian(at, step), gaussian(at + step, step), gaussian(at + 2 * step, step), gaussian(at + 3 * step, step));
    return;
  }
  let A = src[row + id.x - 2u];
  let B = src[row + id.x - 1u];
  let C = src[row + id.x];
  let D = src[row + id.x + 1u];
  let E = src[row + id.x + 2u];
  // Offsets −6..6 in the reference's order; weights past the radius are 0.
  var s = vec4f(0.0);
  s += p.w[6].x * vec4f(A.z, A.w, B.x, B.y);
  s += p.w[5].x * vec4f(A.w, B.x, B.y, B.z);
  s += p.w[4].x * vec4f(B.x, B.y, B.z, B.w);
  s += p.w[3].x * vec4f(B.y, B.z, B.w, C.x);
  s += p.w[2].x * vec4f(B.z, B.w, C.x, C.y);
  s += p.w[1].x * vec4f(B.w, C.x, C.y, C.z);
  s += p.w[0].x * vec4f(C.x, C.y, C.z, C.w);
  s += p.w[1].x * vec4f(C.y, C.z, C.w, D.x);
  s += p.w[2].x * vec4f(C.z, C.w, D.x, D.y);
  s += p.w[3].x * vec4f(C.w, D.x, D.y, D.z);
  s += p.w[4].x * vec4f(D.x, D.y, D.z, D.w);
  s += p.w[5].x * vec4f(D.y, D.z, D.w, E.x);
  s += p.w[6].x * vec4f(D.z, D.w, E.x, E.y);
  dst[row + id.x] = s;
}

@compute @workgroup_size(8, 8)
fn v(@builtin(global_invocation_id) id: vec3u) {
  let qw = p.size.x / 4u;
  if (id.x >= qw || id.y >= p.size.y) { return; }
  let last = i32(p.size.y) - 1;
  var s = vec4f(0.0);
  for (var k = -p.radius; k <= p.radius; k++) {
    s += p.w[abs(k)].x * src[u32(clamp(i32(id.y) + k, 0, last)) * qw + id.x];
  }
  dst[id.y * qw + id.x] = select(s, sharpened(s), p.sharpen == 1u);
}
