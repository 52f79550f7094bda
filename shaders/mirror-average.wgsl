// Mirror averaging of the segmentation model (test-time augmentation for files): the model
// also sees the frame mirrored left to right, and its two answers are averaged, which evens
// out its one-sided mistakes.
// mirror:  dst[c][y][x] = src[c][y][w − 1 − x] for every plane c of an NCHW f32 tensor.
// average: dst[y][x] = (a[y][x] + b[y][w − 1 − x]) / 2: b is the mask of the mirrored input.

struct Params {
  size: vec2u,   // width, height of one plane
  planes: u32,
  _pad: u32,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read> b: array<f32>;

@compute @workgroup_size(8, 8)
fn mirror(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let n = p.size.x * p.size.y;
  let row = id.y * p.size.x;
  for (var c = 0u; c < p.planes; c++) {
    dst[c * n + row + id.x] = src[c * n + row + p.size.x - 1u - id.x];
  }
}

@compute @workgroup_size(8, 8)
fn average(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let row = id.y * p.size.x;
  dst[row + id.x] = 0.5 * (a[row + id.x] + b[row + p.size.x - 1u - id.x]);
}
