/**
 * One place that imports onnxruntime-web and points it at its runtime files on our own origin.
 * The package's default entry embeds its Emscripten glue and would otherwise locate the .wasm
 * (and the pthread worker script) relative to wherever the bundler put that code, which after
 * `vite build` is our chunk, not the package folder. Giving both URLs explicitly works the same
 * in `vite` dev (served from node_modules) and in the build (emitted as hashed assets).
 */
import * as ort from 'onnxruntime-web';
// The package's `exports` map hides dist/, so these go through the file path; `?url` makes
// Vite serve them in dev and copy them into the build output.
import jsepMjsUrl from '../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.mjs?url';
import jsepWasmUrl from '../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm?url';

let configured = false;

/** Returns onnxruntime-web with wasmPaths set to same-origin URLs (idempotent). */
export function ortRuntime(): typeof ort {
  if (!configured) {
    const base = (globalThis as { location?: Location }).location?.href;
    // Absolute URLs: ORT resolves relative ones against its own script URL, not the page.
    const abs = (u: string): string => (base ? new URL(u, base).href : u);
    ort.env.wasm.wasmPaths = { mjs: abs(jsepMjsUrl), wasm: abs(jsepWasmUrl) };
    // Runs in the render worker already; a second proxy worker would only add a hop.
    ort.env.wasm.proxy = false;
    configured = true;
  }
  return ort;
}

