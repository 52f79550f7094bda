// What the camera readers (camera-texture.wgsl, camera-planes.wgsl) hand a pass: a 4x2 block
// of pixels, one pixel per vector lane. On SwiftShader (CI's CPU WebGPU) a pass pays per
// invocation and per load, so a block shares its loads (one word of luma per row of four, one
// of chroma for all eight) and the math runs on vec4s.
//
// camBlock(x0, y0): x0 a multiple of 4, y0 even. `bottom` repeats `top` past the last row;
// lanes past the right edge hold whatever the row's padding decodes to, and callers do not
// use them.

struct CamRow { r: vec4f, g: vec4f, b: vec4f, a: vec4f };
struct CamBlock { top: CamRow, bottom: CamRow };
