// The camera as a pass reads it after the frame was ingested into its RGBA texture (see
// camera-input.ts). Passes that read the camera go through camBlock() (camPixels, in
// camera-block.wgsl) and never bind it themselves, so the same pass also runs on the frame's
// raw planes (camera-planes.wgsl).

@group(0) @binding(14) var camTex: texture_2d<f32>;

fn camTexRow(x0: u32, y: u32, last: u32) -> CamRow {
  let c0 = textureLoad(camTex, vec2u(x0, y), 0);
  let c1 = textureLoad(camTex, vec2u(min(x0 + 1u, last), y), 0);
  let c2 = textureLoad(camTex, vec2u(min(x0 + 2u, last), y), 0);
  let c3 = textureLoad(camTex, vec2u(min(x0 + 3u, last), y), 0);
  return CamRow(vec4f(c0.r, c1.r, c2.r, c3.r), vec4f(c0.g, c1.g, c2.g, c3.g), vec4f(c0.b, c1.b, c2.b, c3.b), vec4f(c0.a, c1.a, c2.a, c3.a));
}

fn camBlock(x0: u32, y0: u32) -> CamBlock {
  let size = textureDimensions(camTex);
  let top = camTexRow(x0, y0, size.x - 1u);
  if (y0 + 1u >= size.y) { return CamBlock(top, top); }
  return CamBlock(top, camTexRow(x0, y0 + 1u, size.x - 1u));
}
