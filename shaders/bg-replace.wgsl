// Background replacement: the person (mask .r) over a solid colour or a cover-fitted image,
// or the camera with the mask as alpha (transparent), or the camera unchanged (none).
// Output is straight (non-premultiplied) alpha; a background with alpha < 1 composites as
// "person over background" in straight form, which makes transparent the a = 0 case.

// LIGHT_WRAP_TAPS is prepended by bg-replace.ts from bg-plan.ts, and so is the camera reader
// (camera-input.ts): camBlock()/camPixels() over the RGBA texture or straight over the frame's planes.
struct Params {
  size: vec2u,
  imageSize: vec2u,
  mode: u32,            // 0 none, 1 colour, 2 image, 3 transparent
  _a: u32,
  lightWrap: f32,
  _b: f32,
  color: vec4f,         // straight RGBA of the colour background
  map: vec4f,           // image pixel = (p + 0.5) * map.x + map.yz
  offs: array<vec4i, LIGHT_WRAP_TAPS / 2u>, // light-wrap tap offsets, two per vec4
};

@group(0) @binding(1) var maskTex: texture_2d<f32>;
@group(0) @binding(2) var imageTex: texture_2d<f32>;
@group(0) @binding(3) var outTex: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(4) var<uniform> u: Params;

// Bilinear with explicit loads so the result does not depend on the sampler's sub-texel precision.
fn imageAt(p: vec2i) -> vec4f {
  let pos = (vec2f(p) + 0.5) * u.map.x + u.map.yz - 0.5;
  let f = floor(pos);
  let t = pos - f;
  let hi = vec2i(u.imageSize) - 1;
  let i0 = clamp(vec2i(f), vec2i(0), hi);
  let i1 = clamp(vec2i(f) + 1, vec2i(0), hi);
  let a = mix(textureLoad(imageTex, i0, 0), textureLoad(imageTex, vec2i(i1.x, i0.y), 0), t.x);
  let b = mix(textureLoad(imageTex, vec2i(i0.x, i1.y), 0), textureLoad(imageTex, i1, 0), t.x);
  return mix(a, b, t.y);
}

fn background(p: vec2i) -> vec4f {
  if (u.mode == 2u) { return imageAt(p); }
  return u.color;
}

fn tap(k: u32) -> vec2i {
  let v = u.offs[k >> 1u];
  return select(v.xy, v.zw, (k & 1u) == 1u);
}

// The replacement's work on one pixel, run by camPixels (camera-block.wgsl).
fn camPixel(q: vec2u, camera: vec4f) {
  let c = camera.rgb;
  let p = vec2i(q);
  if (u.mode == 0u) { textureStore(outTex, p, vec4f(c, 1.0)); return; }
  let m = textureLoad(maskTex, p, 0).r;
  if (u.mode == 3u) { textureStore(outTex, p, vec4f(c, m)); return; }
  let g = background(p);
  let a = m + (1.0 - m) * g.a;
  var rgb = c;
  if (a > 0.0) { rgb = (m * c + (1.0 - m) * g.a * g.rgb) / a; }
  if (u.lightWrap > 0.0 && m > 0.0) {
    // Light wrap: where the person is near background, mix in the background averaged over
    // LIGHT_WRAP_TAPS taps around the pixel, in proportion to how much background those taps see.
    let hi = vec2i(u.size) - 1;
    var sumP = g.rgb * g.a;
    var sumA = g.a;
    var sumM = m;
    for (var k = 0u; k < LIGHT_WRAP_TAPS; k++) {
      let q = clamp(p + tap(k), vec2i(0), hi);
      let gq = background(q);
      sumP += gq.rgb * gq.a;
      sumA += gq.a;
      sumM += textureLoad(maskTex, q, 0).r;
    }
    let amount = u.lightWrap * m * (1.0 - sumM / 17.0) * (sumA / 17.0);
    if (sumA > 0.0) { rgb = mix(rgb, sumP / sumA, amount); }
  }
  textureStore(outTex, p, vec4f(clamp(rgb, vec3f(0.0), vec3f(1.0)), clamp(a, 0.0, 1.0)));
}

// One thread per 4x2 block of the camera.
@compute @workgroup_size(64, 1)
fn main(@builtin(global_invocation_id) id: vec3u) { camPixels(id.xy, u.size); }
