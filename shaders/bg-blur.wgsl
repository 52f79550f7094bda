// Mask-weighted background blur, as a chain of compute passes over a premultiplied level:
// every level texel holds (Σ k·b·c, Σ k·b) where b = 1 − mask is the background weight and
// k the (so far) applied kernel. All steps are linear in that pair, so person pixels (b = 0)
// contribute nothing anywhere in the chain and one division at the end normalises by the
// background weight actually present: no halo. Out-of-image taps are skipped (weight 0),
// which the same final division renormalises.

// MAX_RADIUS is prepended by bg-blur.ts from MAX_BLUR_RADIUS (bg-plan.ts), and so is the camera
// reader (camera-input.ts): camBlock()/camPixels() over the RGBA texture or straight over the frame's planes.
struct DownParams {
  size: vec2u,       // full resolution
  levelSize: vec2u,
  factor: u32,
  _a: u32, _b: u32, _c: u32,
};

struct BlurParams {
  size: vec2u,       // level size
  dir: vec2i,        // (1,0) horizontal, (0,1) vertical
  radius: u32,
  _a: u32, _b: u32, _c: u32,
  w: array<vec4f, (MAX_RADIUS + 4u) / 4u>, // weights for offsets 0..MAX_RADIUS, four per vec4
};

struct CompositeParams {
  size: vec2u,
  levelSize: vec2u,
  invFactor: f32,
  lightWrap: f32,
  eps: f32,          // fallback weight of the pixel itself where no background is near
  _a: f32,
};

@group(0) @binding(1) var maskTex: texture_2d<f32>;
@group(0) @binding(2) var downOut: texture_storage_2d<rgba16float, write>;
@group(0) @binding(3) var<uniform> dp: DownParams;
@group(0) @binding(4) var blurIn: texture_2d<f32>;
@group(0) @binding(5) var blurOut: texture_storage_2d<rgba16float, write>;
@group(0) @binding(6) var<uniform> bp: BlurParams;
@group(0) @binding(7) var levelTex: texture_2d<f32>;
@group(0) @binding(8) var outTex: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(9) var<uniform> cp: CompositeParams;
@group(0) @binding(10) var levelSampler: sampler;

// Background-weighted sums (Σ b·c, Σ b) of one row of four camera pixels, counting the lanes
// whose column lies in [x0, x1).
fn downRow(xs: u32, y: u32, x0: u32, x1: u32, c: CamRow) -> vec4f {
  let xi = vec4u(xs, xs + 1u, xs + 2u, xs + 3u);
  let inside = (xi >= vec4u(x0)) & (xi < vec4u(x1));
  let last = dp.size.x - 1u;
  let m = vec4f(textureLoad(maskTex, vec2u(min(xi.x, last), y), 0).r, textureLoad(maskTex, vec2u(min(xi.y, last), y), 0).r,
    textureLoad(maskTex, vec2u(min(xi.z, last), y), 0).r, textureLoad(maskTex, vec2u(min(xi.w, last), y), 0).r);
  let b = select(vec4f(0.0), 1.0 - m, inside);
  return vec4f(dot(b, c.r), dot(b, c.g), dot(b, c.b), dot(b, vec4f(1.0)));
}

// Box average of (b·c, b) over the factor×factor block; pixels past the edge count as b = 0.
// The camera comes in 4x2 blocks (camBlock), so the loops start at the aligned block.
@compute @workgroup_size(8, 8)
fn down(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= dp.levelSize.x || id.y >= dp.levelSize.y) { return; }
  let x0 = id.x * dp.factor;
  let y0 = id.y * dp.factor;
  let x1 = min(x0 + dp.factor, dp.size.x);
  let y1 = min(y0 + dp.factor, dp.size.y);
  var acc = vec4f(0.0);
  for (var y = y0 & ~1u; y < y1; y += 2u) {
    for (var x = x0 & ~3u; x < x1; x += 4u) {
      let c = camBlock(x, y);
      if (y >= y0) { acc += downRow(x, y, x0, x1, c.top); }
      if (y + 1u < y1) { acc += downRow(x, y + 1u, x0, x1, c.bottom); }
    }
  }
  textureStore(downOut, id.xy, acc / f32(dp.factor * dp.factor));
}

fn weight(k: u32) -> f32 { return bp.w[k >> 2u][k & 3u]; }

// One direction of the separable Gaussian; taps outside the level are skipped.
@compute @workgroup_size(8, 8)
fn blur(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= bp.size.x || id.y >= bp.size.y) { return; }
  let p = vec2i(id.xy);
  let lim = vec2i(bp.size);
  var acc = textureLoad(blurIn, p, 0) * weight(0u);
  for (var k = 1u; k <= bp.radius; k++) {
    let o = bp.dir * i32(k);
    let a = p + o;
    let b = p - o;
    if (all(a < lim)) { acc += textureLoad(blurIn, a, 0) * weight(k); }
    if (all(b >= vec2i(0))) { acc += textureLoad(blurIn, b, 0) * weight(k); }
  }
  textureStore(blurOut, id.xy, acc);
}

// Bilinear upsample by the sampler: the level is smooth, so 8-bit sub-texel weights on some
// GPUs cost well under 1/255, and one filtered fetch is much cheaper than four loads.
fn sampleLevel(p: vec2u) -> vec4f {
  // Texel centres line up with the box blocks: level coordinate (p + 0.5) / factor − 0.5.
  let uv = (vec2f(p) + 0.5) * cp.invFactor / vec2f(cp.levelSize);
  return textureSampleLevel(levelTex, levelSampler, uv, 0.0);
}

// The composite's work on one pixel, run by camPixels (camera-block.wgsl).
fn camPixel(q: vec2u, camera: vec4f) {
  let c = camera.rgb;
  let m = textureLoad(maskTex, q, 0).r;
  // Wholly person and no light wrap: the pixel itself, exactly what the blend below gives,
  // without the level fetch (the blur stage measured 34–40 vs 39–51 ms in bench blur-480p).
  if (m >= 1.0 && cp.lightWrap == 0.0) {
    textureStore(outTex, q, vec4f(c, 1.0));
    return;
  }
  let s = sampleLevel(q);
  // Where the whole neighbourhood is person (weight → 0) this fades to the pixel itself.
  let bg = (s.rgb + cp.eps * c) / (s.a + cp.eps);
  var o = mix(bg, c, m);
  // Light wrap: the local background fraction s.a is large right at the person's edge.
  o = mix(o, bg, cp.lightWrap * m * clamp(s.a, 0.0, 1.0));
  textureStore(outTex, q, vec4f(clamp(o, vec3f(0.0), vec3f(1.0)), 1.0));
}

// One thread per 4x2 block of the camera.
@compute @workgroup_size(64, 1)
fn composite(@builtin(global_invocation_id) id: vec3u) { camPixels(id.xy, cp.size); }
