// Upsamples the mask-resolution f32 mask to the camera frame's size into rgba8unorm (.r).
// edgeAware 0: bilinear (pixel centres aligned, clamp to edge).
// edgeAware 1: joint bilateral over the (2R)^2 low-res samples around the pixel. Spatial
//   weight is a tent of half-width R low-res px (R = 1 gives exactly the bilinear weights),
//   times a range weight exp(-|I_full(p) - I_low(q)|^2 / 2σr^2) comparing the camera pixel
//   with the model's low-res input at the sample; the range weight is floored so a pixel
//   unlike all of its neighbours falls back to spatial weights instead of dividing by ~0.
// `pack` first interleaves the mask-resolution inputs into one rgba16float texel (low-res RGB,
// mask in .a), so a tap of `main` is one texture load instead of four buffer loads, and the
// bilinear path is one filtered fetch: on CPU rasterisers the upsampling was the costliest step
// of a mask, and its cost is the loads (a filtered fetch costs less than two). Half floats
// keep the mask within 1/2048 and the colours well inside the range weight's sigma.
// The mask covers `region` of the frame (dst pixels: x, y, width, height): the whole frame, or
// the crop a person-centred pass looked at; outside it the mask is 0 (background).

struct Params {
  src: vec2u,
  dst: vec2u,
  edgeAware: u32,
  radius: i32,
  rangeK: f32,      // 1 / (2 σr^2)
  rangeFloor: f32,
  region: vec4f,
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read> lowFrame: array<f32>;
@group(0) @binding(3) var guide: texture_2d<f32>;
@group(0) @binding(4) var dst: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(5) var packOut: texture_storage_2d<rgba16float, write>;
@group(0) @binding(6) var packed: texture_2d<f32>;
@group(0) @binding(7) var packSampler: sampler;

@compute @workgroup_size(8, 8)
fn pack(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.src.x || id.y >= p.src.y) { return; }
  let n = p.src.x * p.src.y;
  let q = id.y * p.src.x + id.x;
  textureStore(packOut, id.xy, vec4f(lowFrame[q], lowFrame[n + q], lowFrame[2u * n + q], mask[q]));
}

// Low-res RGB and mask at (x, y), clamped to the edge.
fn texel(x: i32, y: i32) -> vec4f {
  return textureLoad(packed, clamp(vec2i(x, y), vec2i(0), vec2i(p.src) - 1), 0);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.dst.x || id.y >= p.dst.y) { return; }
  let pc = vec2f(id.xy) + 0.5 - p.region.xy;
  if (any(pc < vec2f(0.0)) || any(pc >= p.region.zw)) {
    textureStore(dst, vec2i(id.xy), vec4f(0.0, 0.0, 0.0, 1.0));
    return;
  }
  let scale = vec2f(p.src) / p.region.zw;
  let uv = pc * scale - 0.5;
  let base = vec2i(floor(uv));
  var m: f32;
  if (p.edgeAware == 0u) {
    // Clamp-to-edge addressing is the clamped indices of the reference.
    m = textureSampleLevel(packed, packSampler, (uv + 0.5) / vec2f(p.src), 0.0).a;
  } else {
    let c = textureLoad(guide, vec2i(id.xy), 0).rgb;
    let r = f32(p.radius);
    var sw = 0.0;
    var sm = 0.0;
    for (var j = 1 - p.radius; j <= p.radius; j++) {
      for (var i = 1 - p.radius; i <= p.radius; i++) {
        let t = texel(base.x + i, base.y + j);
        let d = vec2f(base + vec2i(i, j)) - uv;
        let ws = max(0.0, 1.0 - abs(d.x) / r) * max(0.0, 1.0 - abs(d.y) / r);
        let dc = c - t.rgb;
        let wr = max(exp(-dot(dc, dc) * p.rangeK), p.rangeFloor);
        sw += ws * wr;
        sm += ws * wr * t.a;
      }
    }
    m = sm / sw;
  }
  m = clamp(m, 0.0, 1.0);
  textureStore(dst, vec2i(id.xy), vec4f(m, m, m, 1.0));
}
