// Converts a VideoFrame's raw planes (copied with VideoFrame.copyTo into a storage buffer)
// into the working RGBA texture. The decoding is camera-planes.wgsl's camBlock (prepended with
// yuv-layout.wgsl and camera-block.wgsl by ingest-yuv.ts), the one every pass that reads the
// planes in place shares: one thread per 4x2 block.

@group(0) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;

// Stores up to 4 pixels of one row. Unrolled with constant lane indices: a loop with r.r[i]
// makes SwiftShader index vectors dynamically.
fn storeRow(x0: u32, y: u32, r: CamRow) {
  textureStore(dst, vec2u(x0, y), vec4f(r.r.x, r.g.x, r.b.x, r.a.x));
  if (x0 + 1u < camLayout.size.x) { textureStore(dst, vec2u(x0 + 1u, y), vec4f(r.r.y, r.g.y, r.b.y, r.a.y)); }
  if (x0 + 2u < camLayout.size.x) { textureStore(dst, vec2u(x0 + 2u, y), vec4f(r.r.z, r.g.z, r.b.z, r.a.z)); }
  if (x0 + 3u < camLayout.size.x) { textureStore(dst, vec2u(x0 + 3u, y), vec4f(r.r.w, r.g.w, r.b.w, r.a.w)); }
}

@compute @workgroup_size(64, 1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x0 = id.x * 4u;
  let y0 = id.y * 2u;
  if (x0 >= camLayout.size.x || y0 >= camLayout.size.y) { return; }
  let b = camBlock(x0, y0);
  storeRow(x0, y0, b.top);
  if (y0 + 1u < camLayout.size.y) { storeRow(x0, y0 + 1u, b.bottom); }
}
