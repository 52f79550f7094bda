// Draws one layer (a texture) into the output texture as a rectangle with its own
// transform, over a cleared background. Premultiplied-alpha "over" blending is set up by
// the pipeline, so layers with alpha (transparent backgrounds) composite correctly.

struct Layer {
  // Clip-space rectangle the layer covers: (x0, y0, x1, y1).
  rect: vec4f,
  // Source UV rectangle (crop): (u0, v0, u1, v1).
  uv: vec4f,
  opacity: f32,
  _pad: vec3f,
};

@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var samp: sampler;
@group(0) @binding(2) var<uniform> layer: Layer;

struct VsOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f };

@vertex
fn vs(@builtin(vertex_index) i: u32) -> VsOut {
  // Two triangles of a quad: corners (0,0) (1,0) (0,1) (0,1) (1,0) (1,1).
  let corners = array<vec2f, 6>(vec2f(0, 0), vec2f(1, 0), vec2f(0, 1), vec2f(0, 1), vec2f(1, 0), vec2f(1, 1));
  let c = corners[i];
  var o: VsOut;
  o.pos = vec4f(mix(layer.rect.x, layer.rect.z, c.x), mix(layer.rect.y, layer.rect.w, c.y), 0.0, 1.0);
  o.uv = vec2f(mix(layer.uv.x, layer.uv.z, c.x), mix(layer.uv.y, layer.uv.w, c.y));
  return o;
}

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let c = textureSampleLevel(src, samp, in.uv, 0.0);
  return vec4f(c.rgb * c.a, c.a) * layer.opacity;
}
