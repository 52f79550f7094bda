// Builds wasm/audio-kernels.wat -> src/audio/generated/audio-kernels.wasm with
// the `wabt` npm package, so no native toolchain is needed on dev machines/CI.
// Idempotent: the output is only rewritten when its bytes change, which keeps
// Vite's watcher quiet when `predev`/`test` run it again.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabtInit from 'wabt';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WAT_PATH = resolve(root, 'wasm/audio-kernels.wat');
export const WASM_PATH = resolve(root, 'src/audio/generated/audio-kernels.wasm');

export interface BuildWasmResult {
  outPath: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** False when the existing output was already byte-identical. */
  written: boolean;
}

export async function buildWasm(
  watPath: string = WAT_PATH,
  outPath: string = WASM_PATH,
): Promise<BuildWasmResult> {
  const wabt = await wabtInit();
  const source = await readFile(watPath, 'utf8');
  // SIMD is the whole point; everything else stays MVP so the module loads in
  // any browser that has wasm SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).
  const mod = wabt.parseWat(watPath, source, { simd: true });
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    mod.resolveNames();
    mod.validate();
    // Copy out of wabt's heap into a plain ArrayBuffer-backed array.
    bytes = new Uint8Array(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
  const previous = await readFile(outPath).catch(() => null);
  if (previous !== null && Buffer.compare(previous, bytes) === 0) {
    return { outPath, bytes, written: false };
  }
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, bytes);
  return { outPath, bytes, written: true };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { outPath, bytes, written } = await buildWasm();
  console.log(`${written ? 'wrote' : 'up to date'} ${outPath} (${bytes.byteLength} bytes)`);
}
