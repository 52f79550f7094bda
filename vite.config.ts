import { defineConfig } from 'vite';

// Cross-origin isolation: SharedArrayBuffer (audio meters, wasm threads) needs COOP/COEP.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  assetsInclude: ['**/*.wgsl', '**/*.onnx'],
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022' },
});
