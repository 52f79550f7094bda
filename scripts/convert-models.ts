/**
 * Converts the MediaPipe selfie-segmentation .tflite files shipped in the npm package
 * `@mediapipe/selfie_segmentation` into the ONNX models the studio loads, so the app works
 * after `npm install` alone (no npm package ships these weights as ONNX).
 *
 * Usage: npx tsx scripts/convert-models.ts [--force] [--out <dir>]
 * Runs from postinstall/predev/prebuild; skips work when the outputs are up to date.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { convertTfliteToOnnx } from './tflite-to-onnx.ts';

const SCRIPTS_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(SCRIPTS_DIR, '..');
const PACKAGE = '@mediapipe/selfie_segmentation';

/** Attribution required by the Apache-2.0 licence of the weights; embedded in every model. */
export const ATTRIBUTION =
  'MediaPipe Selfie Segmentation model, Copyright The MediaPipe Authors, Apache License 2.0 (converted to ONNX)';

/** The models to produce: source .tflite in the npm package → output .onnx. */
export const MODELS = [
  { tflite: 'selfie_segmentation.tflite', onnx: 'selfie_segmentation.onnx' },
  { tflite: 'selfie_segmentation_landscape.tflite', onnx: 'selfie_segmentation_landscape.onnx' },
] as const;

export interface ConvertModelsOptions {
  /** Directory holding the .tflite files (default: the installed npm package). */
  packageDir?: string;
  /** Output directory (default: public/models). */
  outDir?: string;
  /** Convert even when the outputs look up to date. */
  force?: boolean;
  log?: (line: string) => void;
}

export interface ConvertedModel {
  source: string;
  output: string;
  skipped: boolean;
  bytes: number;
}

/** Files whose change must invalidate previously converted models. */
function converterSources(): string[] {
  const files = [join(SCRIPTS_DIR, 'tflite-to-onnx.ts'), join(SCRIPTS_DIR, 'convert-models.ts')];
  for (const dir of ['tflite', 'onnx']) {
    const full = join(SCRIPTS_DIR, dir);
    if (existsSync(full)) for (const f of readdirSync(full)) files.push(join(full, f));
  }
  return files;
}

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}

/** Default location of the npm package's files. */
export function defaultPackageDir(): string {
  return join(REPO_ROOT, 'node_modules', PACKAGE);
}

function packageVersion(dir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Converts every model in MODELS, skipping those whose output is newer than all inputs. */
export function convertModels(options: ConvertModelsOptions = {}): ConvertedModel[] {
  const packageDir = options.packageDir ?? defaultPackageDir();
  const outDir = options.outDir ?? join(REPO_ROOT, 'public', 'models');
  const log = options.log ?? (() => {});
  if (!existsSync(packageDir)) {
    throw new Error(`${PACKAGE} is not installed (looked in ${packageDir}); run npm install`);
  }
  const version = packageVersion(packageDir);
  const newestSource = Math.max(...converterSources().map(mtime));
  mkdirSync(outDir, { recursive: true });

  return MODELS.map(({ tflite, onnx }) => {
    const source = join(packageDir, tflite);
    const output = join(outDir, onnx);
    if (!existsSync(source)) throw new Error(`missing ${source}; is ${PACKAGE} installed completely?`);
    const upToDate = existsSync(output) && mtime(output) > Math.max(mtime(source), newestSource);
    if (upToDate && !options.force) {
      log(`models: ${relative(REPO_ROOT, output)} is up to date`);
      return { source, output, skipped: true, bytes: statSync(output).size };
    }
    const input = readFileSync(source);
    const sha256 = createHash('sha256').update(input).digest('hex');
    let bytes: Uint8Array;
    try {
      bytes = convertTfliteToOnnx(input, {
        inputNames: ['pixel_values'],
        outputNames: ['alphas'],
        docString: `${ATTRIBUTION}. Source: npm ${PACKAGE}@${version} ${tflite} (sha256 ${sha256}).`,
        metadata: { license: 'Apache-2.0', source: `${PACKAGE}@${version}/${tflite}`, source_sha256: sha256 },
      });
    } catch (e) {
      throw new Error(`converting ${source}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    // Write then rename so an interrupted run never leaves a fresh-looking partial file behind.
    const tmp = `${output}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, output);
    log(`models: wrote ${relative(REPO_ROOT, output)} (${bytes.length} bytes) from ${PACKAGE}/${tflite}`);
    return { source, output, skipped: false, bytes: bytes.length };
  });
}

function main(argv: string[]): void {
  const force = argv.includes('--force');
  const outIdx = argv.indexOf('--out');
  const outDir = outIdx >= 0 ? argv[outIdx + 1] : undefined;
  if (outIdx >= 0 && !outDir) throw new Error('--out needs a directory');
  convertModels({ force, outDir: outDir ? resolve(outDir) : undefined, log: (l) => console.log(l) });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`models: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
