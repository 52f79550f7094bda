// Diagnostics only: a deliberately slow compute pass that stands in for a slower GPU, so tests
// can watch adaptive quality react. Each of 16384 threads runs `iterations` steps of dependent
// arithmetic (the compiler cannot skip them: the result is stored).

override iterations: u32 = 1u;

@group(0) @binding(0) var<storage, read_write> sink: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  var x = f32(id.x) * 1e-3;
  for (var i = 0u; i < iterations; i++) {
    x = fract(sin(x) * 43758.5453 + 0.1);
  }
  sink[id.x] = x;
}
