// Stretch-resizes the working RGBA frame into the segmentation model's input tensor:
// f32 NCHW planar RGB in [0, 1] (the R plane, then G, then B).
//
// Bilinear in the antialiased sense of PIL's BILINEAR (and ffmpeg's): a triangle filter around
// each output pixel centre whose radius is one *output* pixel when shrinking, one source pixel
// when enlarging (then it equals plain half-pixel bilinear with clamped edges). Point-sampled
// bilinear skips most source pixels at 2.5x+ and cost ~0.012 mIoU on the shared DAVIS-20 set.
// Distances are integer ratios so the CPU reference (tests/reference/segment.ts) matches to ~1e-7.
//
// The filter is separable and runs as two kernels: `h` filters each source row of the crop into
// `rows` (one vec4 per output column and source row), `v` filters those columns into the
// output. A 2.5x shrink reads ~6+6 texels per output instead of ~36 (the 2D loop this replaced
// was the costliest mask step on CPU rasterisers); the sums only regroup (~1e-7).
//
// The source is a crop of the frame: `src_size` pixels from `origin`, which may reach past the
// frame's edges (a padded crop around a person near the border); reads there clamp to the edge.

struct Params {
  src_size: vec2u,
  dst_size: vec2u,
  origin: vec2i,
  _pad: vec2u,
};

@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> rows: array<vec4f>;
@group(0) @binding(4) var<storage, read> rowsIn: array<vec4f>;

// First and last source index that can weigh on output index `o` along one axis.
fn span(o: u32, n_src: u32, n_dst: u32) -> vec2i {
  let m = i32(max(n_src, n_dst));
  let c = i32((2u * o + 1u) * n_src) - i32(n_dst);
  let d = i32(2u * n_dst);
  // Integer division truncates; a negative numerator is clamped to 0 either way.
  let first = max(0, (c - 2 * m) / d);
  let last = min(i32(n_src) - 1, (c + 2 * m) / d + 1);
  return vec2i(first, last);
}

// Triangle weight of source index `x` for output index `o`: 1 - |distance| / radius, >= 0.
// distance / radius = ((2x + 1) * n_dst - (2o + 1) * n_src) / (2 * max(n_src, n_dst)).
fn weight(x: i32, o: u32, n_src: u32, n_dst: u32) -> f32 {
  let num = (2 * x + 1) * i32(n_dst) - i32((2u * o + 1u) * n_src);
  return max(0.0, 1.0 - f32(abs(num)) / f32(2u * max(n_src, n_dst)));
}

// Row pass: output column id.x of crop row id.y, normalised by its weights.
@compute @workgroup_size(8, 8)
fn h(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.dst_size.x || id.y >= p.src_size.y) { return; }
  let edge = vec2i(textureDimensions(src)) - 1;
  let sx = span(id.x, p.src_size.x, p.dst_size.x);
  let ty = clamp(i32(id.y) + p.origin.y, 0, edge.y);
  var acc = vec3f(0.0);
  var total = 0.0;
  for (var x = sx.x; x <= sx.y; x++) {
    let wx = weight(x, id.x, p.src_size.x, p.dst_size.x);
    acc += wx * textureLoad(src, vec2i(clamp(x + p.origin.x, 0, edge.x), ty), 0).rgb;
    total += wx;
  }
  rows[id.y * p.dst_size.x + id.x] = vec4f(acc / total, 0.0);
}

// Column pass: the row results of the source rows around output row id.y, into NCHW planes.
@compute @workgroup_size(8, 8)
fn v(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.dst_size.x || id.y >= p.dst_size.y) { return; }
  let sy = span(id.y, p.src_size.y, p.dst_size.y);
  var acc = vec3f(0.0);
  var total = 0.0;
  for (var y = sy.x; y <= sy.y; y++) {
    let wy = weight(y, id.y, p.src_size.y, p.dst_size.y);
    acc += wy * rowsIn[u32(y) * p.dst_size.x + id.x].rgb;
    total += wy;
  }
  let rgb = acc / total;
  let plane = p.dst_size.x * p.dst_size.y;
  let i = id.y * p.dst_size.x + id.x;
  dst[i] = rgb.r;
  dst[plane + i] = rgb.g;
  dst[2u * plane + i] = rgb.b;
}
