// Bounds of the person in a mask-resolution f32 mask: the smallest rectangle holding every
// value above the threshold, and how many there are. One thread per mask pixel; atomics keep
// maxima only, so minima are stored mirrored (size − 1 − x) and a zero-cleared buffer is a
// valid start: out = [W−1−minX, H−1−minY, maxX, maxY, count].

struct Params {
  size: vec2u,
  threshold: f32,
  _pad: f32,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<atomic<u32>, 5>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  if (mask[id.y * p.size.x + id.x] <= p.threshold) { return; }
  atomicMax(&result[0], p.size.x - 1u - id.x);
  atomicMax(&result[1], p.size.y - 1u - id.y);
  atomicMax(&result[2], id.x);
  atomicMax(&result[3], id.y);
  atomicAdd(&result[4], 1u);
}
