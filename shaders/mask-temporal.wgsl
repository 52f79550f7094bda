// Motion-adaptive temporal hold of the model's mask at mask resolution (a play operator).
// main:   dst = clamp(prevMask, raw − b, raw + b): where the picture is static the mask keeps
//         its value until the model moves further than b from it. An EMA cannot do this: it
//         only spreads a change over frames, and the model's revisions next to a moving person
//         (large receptive field) are persistent changes, not noise. The error stays ≤ b.
//         b = band · (1 − smoothstep(motionLo, motionHi, motion)) · (1 − smoothstep(snapLo, snapHi, |raw − prevMask|)),
//         motion = 3x3 max of max_c |frame - prevFrame| (NCHW planes in [0,1]): moving pixels
//         and one-frame jumps of the model (an edge crossing a uniform region) follow raw.
//         band = 0 makes it a pass-through, which is how the first frame is encoded.
// diff:   per pixel, max_c |frame − prevFrame|, once, so that main's 3x3 maximum reads 9 values
//         instead of 54 (on CPU rasterisers this pass was 20× the cost of its neighbours).
// The state for the next frame (dst and frame) is kept by buffer copies after the pass: a copy
// is a memcpy where a kernel would pay per invocation on CPU rasterisers.

struct Params {
  size: vec2u,
  band: f32,
  motionLo: f32,
  motionHi: f32,
  snapLo: f32,
  snapHi: f32,
  _pad0: f32,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> raw: array<f32>;
@group(0) @binding(2) var<storage, read> frame: array<f32>;
@group(0) @binding(3) var<storage, read> prevMask: array<f32>;
@group(0) @binding(4) var<storage, read> prevFrame: array<f32>;
@group(0) @binding(5) var<storage, read_write> dst: array<f32>;
@group(0) @binding(9) var<storage, read_write> diffOut: array<f32>;
@group(0) @binding(10) var<storage, read> diffIn: array<f32>;

@compute @workgroup_size(8, 8)
fn diff(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let i = id.y * p.size.x + id.x;
  let n = p.size.x * p.size.y;
  var d = 0.0;
  for (var c = 0u; c < 3u; c++) {
    d = max(d, abs(frame[c * n + i] - prevFrame[c * n + i]));
  }
  diffOut[i] = d;
}

fn frameDiff(x: i32, y: i32) -> f32 {
  let w = i32(p.size.x);
  let h = i32(p.size.y);
  return diffIn[u32(clamp(y, 0, h - 1) * w + clamp(x, 0, w - 1))];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.size.x || id.y >= p.size.y) { return; }
  let i = id.y * p.size.x + id.x;
  var motion = 0.0;
  for (var dy = -1; dy <= 1; dy++) {
    for (var dx = -1; dx <= 1; dx++) {
      motion = max(motion, frameDiff(i32(id.x) + dx, i32(id.y) + dy));
    }
  }
  let prev = prevMask[i];
  let r = raw[i];
  // max() keeps band = 0 (snapLo = snapHi = 0) free of 0/0: the band is then 0, not NaN.
  let b = p.band * (1.0 - smooth01((motion - p.motionLo) / (p.motionHi - p.motionLo)))
      * (1.0 - smooth01((abs(r - prev) - p.snapLo) / max(p.snapHi - p.snapLo, 1e-6)));
  // b = 0 returns raw bit-exactly (first frame, motion, temporal off).
  dst[i] = min(r + b, max(r - b, prev));
}

fn smooth01(x: f32) -> f32 {
  let t = clamp(x, 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}
