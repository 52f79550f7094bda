// Converts a VideoFrame's raw planes (copied with VideoFrame.copyTo into a storage buffer)
// into the working RGBA texture. Formats: 0 = I420, 1 = NV12, 2 = RGBA/RGBX, 3 = BGRA/BGRX.
//
// One thread per 4x2 pixel block. On SwiftShader (CI's CPU WebGPU) the cost is mostly per
// invocation and per buffer load, so a block shares its loads: one u32 of Y per row, and for
// 4:2:0 one chroma word (NV12) or half-word per plane (I420) for all 8 pixels. The math runs
// on vec4s, one lane per pixel of a row. The TS side asks copyTo for 4-byte aligned plane
// offsets and strides so every load here is a whole, aligned word.

struct Params {
  size: vec2u,
  format: u32,
  opaque: u32,          // 1 → ignore the alpha byte (RGBX/BGRX)
  offsets: vec4u,       // byte offset of planes 0,1,2 (multiples of 4)
  strides: vec4u,       // byte stride of planes 0,1,2 (multiples of 4)
  row0: vec4f,          // (y,u,v,1) → R
  row1: vec4f,          // (y,u,v,1) → G
  row2: vec4f,          // (y,u,v,1) → B
};

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;

fn wordAt(offset: u32) -> u32 { return src[offset >> 2u]; }

// Stores up to 4 pixels of one row; r, g, b, a hold one pixel per lane. Unrolled with
// constant lane indices: a loop with rc[i] makes SwiftShader index vectors dynamically.
fn storeRow(x0: u32, y: u32, r: vec4f, g: vec4f, b: vec4f, a: vec4f) {
  let lo = vec4f(0.0);
  let hi = vec4f(1.0);
  let rc = clamp(r, lo, hi);
  let gc = clamp(g, lo, hi);
  let bc = clamp(b, lo, hi);
  let ac = clamp(a, lo, hi);
  // x0 < width is checked by the caller.
  textureStore(dst, vec2u(x0, y), vec4f(rc.x, gc.x, bc.x, ac.x));
  if (x0 + 1u < p.size.x) { textureStore(dst, vec2u(x0 + 1u, y), vec4f(rc.y, gc.y, bc.y, ac.y)); }
  if (x0 + 2u < p.size.x) { textureStore(dst, vec2u(x0 + 2u, y), vec4f(rc.z, gc.z, bc.z, ac.z)); }
  if (x0 + 3u < p.size.x) { textureStore(dst, vec2u(x0 + 3u, y), vec4f(rc.w, gc.w, bc.w, ac.w)); }
}

fn yuvRow(x0: u32, y: u32, luma: vec4f, cr: vec4f, cg: vec4f, cb: vec4f) {
  storeRow(x0, y, p.row0.x * luma + cr, p.row1.x * luma + cg, p.row2.x * luma + cb, vec4f(1.0));
}

// Four RGBA/BGRA words of a row, transposed to one channel per vec4.
fn packedRow(x0: u32, y: u32) {
  let base = p.offsets.x + y * p.strides.x + x0 * 4u;
  let last = p.offsets.x + y * p.strides.x + (p.size.x - 1u) * 4u;
  // Lanes past the right edge re-read the last pixel rather than leave the buffer.
  let c0 = unpack4x8unorm(wordAt(base));
  let c1 = unpack4x8unorm(wordAt(min(base + 4u, last)));
  let c2 = unpack4x8unorm(wordAt(min(base + 8u, last)));
  let c3 = unpack4x8unorm(wordAt(min(base + 12u, last)));
  let bgr = p.format == 3u;
  let r = select(vec4f(c0.x, c1.x, c2.x, c3.x), vec4f(c0.z, c1.z, c2.z, c3.z), bgr);
  let g = vec4f(c0.y, c1.y, c2.y, c3.y);
  let b = select(vec4f(c0.z, c1.z, c2.z, c3.z), vec4f(c0.x, c1.x, c2.x, c3.x), bgr);
  let a = select(vec4f(c0.w, c1.w, c2.w, c3.w), vec4f(1.0), p.opaque == 1u);
  storeRow(x0, y, r, g, b, a);
}

@compute @workgroup_size(64, 1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x0 = id.x * 4u;
  let y0 = id.y * 2u;
  if (x0 >= p.size.x || y0 >= p.size.y) { return; }
  let hasRow1 = y0 + 1u < p.size.y;
  if (p.format >= 2u) {
    packedRow(x0, y0);
    if (hasRow1) { packedRow(x0, y0 + 1u); }
    return;
  }
  // Chroma row id.y and columns 2*id.x, 2*id.x + 1 serve the whole block.
  var u: vec4f;
  var v: vec4f;
  if (p.format == 0u) {
    let uo = p.offsets.y + id.y * p.strides.y + id.x * 2u;
    let vo = p.offsets.z + id.y * p.strides.z + id.x * 2u;
    // The two bytes sit in one word (offset even, word-aligned plane): shift them down.
    let uu = unpack4x8unorm(wordAt(uo) >> ((uo & 2u) * 8u));
    let vv = unpack4x8unorm(wordAt(vo) >> ((vo & 2u) * 8u));
    u = uu.xxyy;
    v = vv.xxyy;
  } else {
    let uv = unpack4x8unorm(wordAt(p.offsets.y + id.y * p.strides.y + id.x * 4u));
    u = uv.xxzz;
    v = uv.yyww;
  }
  let cr = p.row0.y * u + p.row0.z * v + p.row0.w;
  let cg = p.row1.y * u + p.row1.z * v + p.row1.w;
  let cb = p.row2.y * u + p.row2.z * v + p.row2.w;
  yuvRow(x0, y0, unpack4x8unorm(wordAt(p.offsets.x + y0 * p.strides.x + x0)), cr, cg, cb);
  if (hasRow1) {
    yuvRow(x0, y0 + 1u, unpack4x8unorm(wordAt(p.offsets.x + (y0 + 1u) * p.strides.x + x0)), cr, cg, cb);
  }
}
