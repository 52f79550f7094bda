// The camera read straight from the planes the copy path uploaded (VideoFrame.copyTo into a
// storage buffer, with its YuvLayout: see ingest-yuv.ts). The ingest pass converts frames with
// this reader; a pass that reads the planes itself makes that pass unnecessary for the frame,
// which on a CPU rasteriser was half of a frame's GPU time. yuv-layout.wgsl is prepended.
// The TS side asks copyTo for 4-byte aligned plane offsets and strides, so every load is a
// whole, aligned word.

@group(0) @binding(14) var<storage, read> camPlanes: array<u32>;
@group(0) @binding(15) var<uniform> camLayout: YuvLayout;

fn camWord(offset: u32) -> u32 { return camPlanes[offset >> 2u]; }

// Four RGBA/BGRA words of a row, transposed to one channel per vec4. Lanes past the right
// edge re-read the last pixel rather than leave the row.
fn camPackedRow(x0: u32, y: u32) -> CamRow {
  let row = camLayout.offsets.x + y * camLayout.strides.x;
  let base = row + x0 * 4u;
  let last = row + (camLayout.size.x - 1u) * 4u;
  let c0 = unpack4x8unorm(camWord(base));
  let c1 = unpack4x8unorm(camWord(min(base + 4u, last)));
  let c2 = unpack4x8unorm(camWord(min(base + 8u, last)));
  let c3 = unpack4x8unorm(camWord(min(base + 12u, last)));
  let bgr = camLayout.format == 3u;
  let r = select(vec4f(c0.x, c1.x, c2.x, c3.x), vec4f(c0.z, c1.z, c2.z, c3.z), bgr);
  let g = vec4f(c0.y, c1.y, c2.y, c3.y);
  let b = select(vec4f(c0.z, c1.z, c2.z, c3.z), vec4f(c0.x, c1.x, c2.x, c3.x), bgr);
  let a = select(vec4f(c0.w, c1.w, c2.w, c3.w), vec4f(1.0), camLayout.opaque == 1u);
  return CamRow(r, g, b, a);
}

// One luma row of four with the block's chroma terms added, clamped like the 8-bit ingest.
fn camYuvRow(x0: u32, y: u32, cr: vec4f, cg: vec4f, cb: vec4f) -> CamRow {
  let luma = unpack4x8unorm(camWord(camLayout.offsets.x + y * camLayout.strides.x + x0));
  let lo = vec4f(0.0);
  let hi = vec4f(1.0);
  return CamRow(clamp(camLayout.row0.x * luma + cr, lo, hi), clamp(camLayout.row1.x * luma + cg, lo, hi),
    clamp(camLayout.row2.x * luma + cb, lo, hi), hi);
}

fn camBlock(x0: u32, y0: u32) -> CamBlock {
  let y1 = min(y0 + 1u, camLayout.size.y - 1u);
  if (camLayout.format >= 2u) { return CamBlock(camPackedRow(x0, y0), camPackedRow(x0, y1)); }
  // 4:2:0: chroma row y0 / 2 and columns x0 / 2, x0 / 2 + 1 serve the whole block.
  let cy = y0 >> 1u;
  let cx = x0 >> 1u;
  var u: vec4f;
  var v: vec4f;
  if (camLayout.format == 0u) {
    let uo = camLayout.offsets.y + cy * camLayout.strides.y + cx;
    let vo = camLayout.offsets.z + cy * camLayout.strides.z + cx;
    // The two bytes sit in one word (offset even, word-aligned plane): shift them down.
    let uu = unpack4x8unorm(camWord(uo) >> ((uo & 2u) * 8u));
    let vv = unpack4x8unorm(camWord(vo) >> ((vo & 2u) * 8u));
    u = uu.xxyy;
    v = vv.xxyy;
  } else {
    let uv = unpack4x8unorm(camWord(camLayout.offsets.y + cy * camLayout.strides.y + cx * 2u));
    u = uv.xxzz;
    v = uv.yyww;
  }
  let cr = camLayout.row0.y * u + camLayout.row0.z * v + camLayout.row0.w;
  let cg = camLayout.row1.y * u + camLayout.row1.z * v + camLayout.row1.w;
  let cb = camLayout.row2.y * u + camLayout.row2.z * v + camLayout.row2.w;
  return CamBlock(camYuvRow(x0, y0, cr, cg, cb), camYuvRow(x0, y1, cr, cg, cb));
}
