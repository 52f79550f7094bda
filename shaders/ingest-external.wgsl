// Zero-copy ingest: samples the camera frame as an external texture (the browser does the
// YUV→RGB conversion in hardware) into the working RGBA texture with a full-screen triangle.

@group(0) @binding(0) var frame: texture_external;
@group(0) @binding(1) var samp: sampler;

struct VsOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f };

@vertex
fn vs(@builtin(vertex_index) i: u32) -> VsOut {
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  var o: VsOut;
  o.pos = vec4f(xy * 2.0 - 1.0, 0.0, 1.0);
  o.uv = vec2f(xy.x, 1.0 - xy.y);
  return o;
}

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  return vec4f(textureSampleBaseClampToEdge(frame, samp, in.uv).rgb, 1.0);
}
