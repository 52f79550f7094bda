// Stretch-resizes the working RGBA frame into the segmentation model's input tensor:
// f32 NCHW planar RGB in [0, 1] (the R plane, then G, then B).
//
// Bilinear in the antialiased sense of PIL's BILINEAR (and ffmpeg's): a triangle filter around
// each output pixel centre whose radius is one *output* pixel when shrinking, one source pixel
// when enlarging (then it equals plain half-pixel bilinear with clamped edges). Point-sampled
// bilinear skips most source pixels at 2.5x+ and cost ~0.012 mIoU on the shared DAVIS-20 set.
// Distances are integer ratios so the CPU reference (tests/reference/segment.ts) matches to ~1e-7.
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

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.dst_size.x || id.y >= p.dst_size.y) { return; }
  let edge = vec2i(textureDimensions(src)) - 1;
  let sx = span(id.x, p.src_size.x, p.dst_size.x);
  let sy = span(id.y, p.src_size.y, p.dst_size.y);
  var acc = vec3f(0.0);
  var total = 0.0;
  for (var y = sy.x; y <= sy.y; y++) {
    let wy = weight(y, id.y, p.src_size.y, p.dst_size.y);
    if (wy == 0.0) { continue; }
    var row = vec3f(0.0);
    var row_total = 0.0;
    for (var x = sx.x; x <= sx.y; x++) {
      let wx = weight(x, id.x, p.src_size.x, p.dst_size.x);
      row += wx * textureLoad(src, clamp(vec2i(x, y) + p.origin, vec2i(0), edge), 0).rgb;
      row_total += wx;
    }
    acc += wy * row;
    total += wy * row_total;
  }
  let rgb = acc / total;
  let plane = p.dst_size.x * p.dst_size.y;
  let i = id.y * p.dst_size.x + id.x;
  dst[i] = rgb.r;
  dst[plane + i] = rgb.g;
  dst[2u * plane + i] = rgb.b;
}
