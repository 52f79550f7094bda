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
// Four pixels of a row per thread, as vec4s (the mask width is a multiple of 4): SwiftShader
// pays per load, and one vec4 load does the work of four (this step took 7 ms at 256x256).
@group(0) @binding(1) var<storage, read> raw: array<vec4f>;
@group(0) @binding(2) var<storage, read> frame: array<vec4f>;
@group(0) @binding(3) var<storage, read> prevMask: array<vec4f>;
@group(0) @binding(4) var<storage, read> prevFrame: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> dst: array<vec4f>;
@group(0) @binding(9) var<storage, read_write> diffOut: array<vec4f>;
@group(0) @binding(10) var<storage, read> diffIn: array<vec4f>;

@compute @workgroup_size(8, 8)
fn diff(@builtin(global_invocation_id) id: vec3u) {
  let qw = p.size.x / 4u;
  if (id.x >= qw || id.y >= p.size.y) { return; }
  let i = id.y * qw + id.x;
  let n = qw * p.size.y;
  let d0 = abs(frame[i] - prevFrame[i]);
  let d1 = abs(frame[n + i] - prevFrame[n + i]);
  let d2 = abs(frame[2u * n + i] - prevFrame[2u * n + i]);
  diffOut[i] = max(max(d0, d1), d2);
}

// Horizontal 3-max of the four pixels of group gx in row y, with the neighbours clamped at the edges.
fn rowMax(gx: u32, y: i32) -> vec4f {
  let qw = p.size.x / 4u;
  let row = u32(clamp(y, 0, i32(p.size.y) - 1)) * qw;
  let c = diffIn[row + gx];
  let left = select(diffIn[row + max(gx, 1u) - 1u].w, c.x, gx == 0u);
  let right = select(diffIn[row + min(gx + 1u, qw - 1u)].x, c.w, gx + 1u >= qw);
  return max(max(vec4f(left, c.x, c.y, c.z), c), vec4f(c.y, c.z, c.w, right));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let qw = p.size.x / 4u;
  if (id.x >= qw || id.y >= p.size.y) { return; }
  let i = id.y * qw + id.x;
  let y = i32(id.y);
  let motion = max(max(rowMax(id.x, y - 1), rowMax(id.x, y)), rowMax(id.x, y + 1));
  let prev = prevMask[i];
  let r = raw[i];
  // max() keeps band = 0 (snapLo = snapHi = 0) free of 0/0: the band is then 0, not NaN.
  let b = p.band * (1.0 - smooth01((motion - p.motionLo) / (p.motionHi - p.motionLo)))
      * (1.0 - smooth01((abs(r - prev) - p.snapLo) / max(p.snapHi - p.snapLo, 1e-6)));
  // b = 0 returns raw bit-exactly (first frame, motion, temporal off).
  dst[i] = min(r + b, max(r - b, prev));
}

fn smooth01(x: vec4f) -> vec4f {
  let t = clamp(x, vec4f(0.0), vec4f(1.0));
  return t * t * (3.0 - 2.0 * t);
}
