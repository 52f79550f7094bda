// Runs bench/audio-kernels.bench.ts under Node (tsx) with the wasm read from
// disk, printing one JSON line per result: `npx tsx bench/audio-kernels.node.ts`.
import { buildWasm } from '../scripts/build-wasm.ts';
import run from './audio-kernels.bench.ts';

const { bytes } = await buildWasm();
for (const r of await run(bytes)) console.log(JSON.stringify(r));
