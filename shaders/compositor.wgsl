// Scene compositor: one render pass draws every visible item, bottom first, into the program
// texture with premultiplied "over" blending (set by the pipeline). One instanced quad per item:
// instance_index is the item's slot in `items`, vertex_index picks a corner of its two triangles.
//
// Each slot holds the item's affine twice: forward (unit square → clip space) for the vertex
// shader, and inverse (output pixel → source uv), passed on as flat varyings so fragments read
// no buffer; the fragment maps its own pixel centre through it. The inverse's linear part is
// also the pixel's footprint in the source: `ax` = duv/dx, `ay` = duv/dy. When that footprint
// spans more than one texel (downscaling), the fragment averages nx × ny bilinear taps spread
// evenly over it (nx = ceil(|ax| in texels), capped at 8), a box prefilter that also follows
// rotation because the taps step along ax and ay. Sources are live frames without mipmaps, so
// this replaces mip selection. Taps are clamped to the crop's texel-centre range, so no texel
// from outside the crop is ever read (for crops on whole texels).

struct Item {
  // Forward affine to clip space: clip = col_u * u + col_v * v + t, with (u, v) in the unit square.
  col_uv: vec4f,      // (col_u.x, col_u.y, col_v.x, col_v.y)
  t_opacity: vec4f,   // (t.x, t.y, opacity, unused)
  // Inverse affine, output pixel → source uv: uv.x = dot(inv_x.xy, p) + inv_x.z; w = taps along x.
  inv_x: vec4f,
  inv_y: vec4f,       // uv.y likewise; w = taps along y.
  // Crop as the range tap positions are clamped to (texel centres inside the crop), in uv.
  clamp_uv: vec4f,    // (lo.x, lo.y, hi.x, hi.y)
};

struct Params {
  // Multiplies every item's opacity (fades); one dynamic-offset slot per encode call.
  opacity_scale: f32,
};

// The pass builds two pipelines: this true for straight-alpha sources, false for sources known to
// be opaque (camera frames). A software rasteriser runs both sides of tap()'s branch under a lane
// mask, so there the premultiplied-texel path costs four loads per tap even where no lane takes it.
override premultiply_texels: bool = true;

@group(0) @binding(0) var<storage, read> items: array<Item>;
@group(0) @binding(1) var samp: sampler;
@group(0) @binding(2) var<uniform> params: Params;
@group(1) @binding(0) var src: texture_2d<f32>;

struct VsOut {
  @builtin(position) pos: vec4f,
  @location(0) @interpolate(flat) inv_x: vec4f,
  @location(1) @interpolate(flat) inv_y: vec4f,
  @location(2) @interpolate(flat) clamp_uv: vec4f,
  @location(3) @interpolate(flat) opacity: f32,
};

@vertex
fn vs(@builtin(vertex_index) vi: u32, @builtin(instance_index) ii: u32) -> VsOut {
  // Two triangles of the unit square: (0,0) (1,0) (0,1) / (0,1) (1,0) (1,1).
  let corners = array<vec2f, 6>(vec2f(0, 0), vec2f(1, 0), vec2f(0, 1), vec2f(0, 1), vec2f(1, 0), vec2f(1, 1));
  let c = corners[vi];
  let it = items[ii];
  var o: VsOut;
  o.pos = vec4f(it.col_uv.xy * c.x + it.col_uv.zw * c.y + it.t_opacity.xy, 0.0, 1.0);
  o.inv_x = it.inv_x;
  o.inv_y = it.inv_y;
  o.clamp_uv = it.clamp_uv;
  o.opacity = it.t_opacity.z * params.opacity_scale;
  return o;
}

fn texel(p: vec2i, size: vec2i) -> vec4f {
  let c = textureLoad(src, clamp(p, vec2i(0), size - 1), 0);
  return vec4f(c.rgb * c.a, c.a);
}

// One bilinear tap at uv, premultiplied. Opaque neighbourhoods (camera frames) take the sampler;
// where any of the four texels is translucent the straight-alpha colours must be premultiplied
// before they are mixed, or transparent texels' colour bleeds into edges as a dark fringe.
fn tap(uv: vec2f) -> vec4f {
  let c = textureSampleLevel(src, samp, uv, 0.0);
  if (!premultiply_texels || c.a >= 1.0) {
    return c;
  }
  let size = vec2i(textureDimensions(src));
  let tc = uv * vec2f(size) - 0.5;
  let i0 = vec2i(floor(tc));
  let f = tc - floor(tc);
  let top = mix(texel(i0, size), texel(i0 + vec2i(1, 0), size), f.x);
  let bottom = mix(texel(i0 + vec2i(0, 1), size), texel(i0 + vec2i(1, 1), size), f.x);
  return mix(top, bottom, f.y);
}

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let p = in.pos.xy; // pixel centre
  let uv = vec2f(dot(in.inv_x.xy, p) + in.inv_x.z, dot(in.inv_y.xy, p) + in.inv_y.z);
  let ax = vec2f(in.inv_x.x, in.inv_y.x);
  let ay = vec2f(in.inv_x.y, in.inv_y.y);
  let n = vec2u(u32(in.inv_x.w), u32(in.inv_y.w));
  let inv_n = 1.0 / vec2f(n);
  // Tap (i, j) sits at uv + ax·((i + ½)/nx − ½) + ay·((j + ½)/ny − ½), walked incrementally in
  // one flat loop: on SwiftShader this ran 2× faster than two nested loops or k / nx, k % nx.
  let dx = ax * inv_n.x;
  let dy = ay * inv_n.y;
  var row = uv + (dx - ax) * 0.5 + (dy - ay) * 0.5;
  var at = row;
  // The first tap is peeled off the loop, so magnified items (one tap) never enter it.
  var sum = tap(clamp(at, in.clamp_uv.xy, in.clamp_uv.zw));
  var i = 0u;
  let taps = n.x * n.y;
  for (var k = 1u; k < taps; k++) {
    i++;
    let wrap = i == n.x;
    i = select(i, 0u, wrap);
    row = select(row, row + dy, wrap);
    at = select(at + dx, row, wrap);
    sum += tap(clamp(at, in.clamp_uv.xy, in.clamp_uv.zw));
  }
  return sum * (inv_n.x * inv_n.y * in.opacity);
}
