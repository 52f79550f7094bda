// Converts a VideoFrame's raw planes (copied with VideoFrame.copyTo into a storage buffer)
// into the working RGBA texture. The decoding is camera-planes.wgsl's camBlock (prepended with
// yuv-layout.wgsl and camera-block.wgsl by ingest-yuv.ts), the one every pass that reads the
// planes in place shares, and camPixels runs camPixel over each thread's 4x2 block.

@group(0) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;

fn camPixel(q: vec2u, c: vec4f) { textureStore(dst, q, c); }

@compute @workgroup_size(64, 1)
fn main(@builtin(global_invocation_id) id: vec3u) { camPixels(id.xy, camLayout.size); }
