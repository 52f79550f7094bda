/** Command-line arguments of `npm run process` (scripts/process.ts), parsed without side effects. */

export const USAGE = `Usage: npm run process -- IN... -o OUT_DIR --background blur|color:#RRGGBB|image:PATH|transparent
       [--codec avc|vp9|av1|hevc] [--container mp4|webm] [--bitrate BITS_PER_S] [--gpu swiftshader|system]

Removes the background of each video IN (and cuts people out of still pictures, as PNG) in headless
Chrome or Chromium (CHROME_PATH, else the system's) and writes the results to OUT_DIR.
  --background   blur, color:#00ff00, image:backdrop.jpg or transparent (WebM with alpha)
  --codec        video codec (default H.264; VP9 for WebM and transparent)
  --container    mp4 (default) or webm
  --gpu          swiftshader (default: WebGPU on the CPU, as the tests run) or system (the machine's GPU)`;

export type CliBackground = { type: 'blur' } | { type: 'color'; color: string } | { type: 'image'; path: string } | { type: 'transparent' };

export interface CliArgs {
  inputs: string[];
  outDir: string;
  background: CliBackground;
  codec?: 'avc' | 'vp9' | 'av1' | 'hevc';
  container?: 'mp4' | 'webm';
  bitrate?: number;
  gpu: 'swiftshader' | 'system';
  help: boolean;
}

/** A mistake in the command line; its message says what to change. */
export class UsageError extends Error {}

const CODECS = ['avc', 'vp9', 'av1', 'hevc'] as const;

/** Parses a background: blur, color:#RRGGBB (or colour:), image:PATH, transparent. */
export function parseBackground(v: string): CliBackground {
  if (v === 'blur' || v === 'transparent') return { type: v };
  const m = /^(colou?r):(.*)$/.exec(v);
  if (m) {
    if (!/^#[0-9a-f]{6}$/i.test(m[2]!)) throw new UsageError(`--background ${v}: the colour must be #RRGGBB, e.g. color:#00ff00.`);
    return { type: 'color', color: m[2]! };
  }
  if (v.startsWith('image:') && v.length > 6) return { type: 'image', path: v.slice(6) };
  throw new UsageError(`--background ${JSON.stringify(v)} is not one of blur, color:#RRGGBB, image:PATH, transparent.`);
}

/** Parses `argv` (without node and the script). Throws UsageError. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const inputs: string[] = [];
  let outDir: string | undefined, background: CliBackground | undefined, codec: CliArgs['codec'], container: CliArgs['container'], bitrate: number | undefined;
  let gpu: CliArgs['gpu'] = 'swiftshader', help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '-h': case '--help': help = true; break;
      case '-o': case '--out': outDir = value(); break;
      case '-b': case '--background': background = parseBackground(value()); break;
      case '--codec': {
        const v = value();
        if (!(CODECS as readonly string[]).includes(v)) throw new UsageError(`--codec ${v}: use one of ${CODECS.join(', ')}.`);
        codec = v as CliArgs['codec'];
        break;
      }
      case '--container': {
        const v = value();
        if (v !== 'mp4' && v !== 'webm') throw new UsageError(`--container ${v}: use mp4 or webm.`);
        container = v;
        break;
      }
      case '--bitrate': {
        const v = Number(value());
        if (!(v >= 100_000 && v <= 100e6)) throw new UsageError('--bitrate is in bits per second, between 100000 and 100000000.');
        bitrate = v;
        break;
      }
      case '--gpu': {
        const v = value();
        if (v !== 'swiftshader' && v !== 'system') throw new UsageError(`--gpu ${v}: use swiftshader or system.`);
        gpu = v;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`Unknown option ${a}.`);
        inputs.push(a);
    }
  }
  if (help) return { inputs, outDir: outDir ?? '', background: background ?? { type: 'blur' }, codec, container, bitrate, gpu, help };
  if (inputs.length === 0) throw new UsageError('Name at least one input file.');
  if (!outDir) throw new UsageError('Name the output folder with -o OUT_DIR.');
  if (!background) throw new UsageError('Choose a background with --background blur|color:#RRGGBB|image:PATH|transparent.');
  return { inputs, outDir, background, codec, container, bitrate, gpu, help };
}

/** A one-line progress bar: "[#####-----]  50%  15/30 frames  3.2 fps  ETA 0:05  name". */
export function progressBar(frames: number, total: number, fps: number, eta: string, name: string, width = 24): string {
  const share = total > 0 ? Math.min(1, frames / total) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${frames}/${total} frames  ` +
    `${fps.toFixed(1)} fps  ETA ${eta}  ${name}`;
}
