// Where a VideoFrame's planes lie in the storage buffer the copy path fills (VideoFrame.copyTo),
// and the colour rows that turn its Y'CbCr into RGB. One struct for the ingest pass that writes
// the uniform (ingest-yuv.wgsl) and every pass that reads the planes through camera-planes.wgsl,
// which binds that same buffer: so the layout has one definition.
// Formats: 0 = I420, 1 = NV12, 2 = RGBA/RGBX, 3 = BGRA/BGRX.

struct YuvLayout {
  size: vec2u,
  format: u32,
  opaque: u32,          // 1 → ignore the alpha byte (RGBX/BGRX)
  offsets: vec4u,       // byte offset of planes 0,1,2 (multiples of 4)
  strides: vec4u,       // byte stride of planes 0,1,2 (multiples of 4)
  row0: vec4f,          // (y,u,v,1) → R
  row1: vec4f,          // (y,u,v,1) → G
  row2: vec4f,          // (y,u,v,1) → B
};
