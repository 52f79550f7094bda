import type { BackgroundEffect } from './background-effect.ts';
import type { MaskOptions } from './mask-options.ts';

const BG_KEY = 'backdrop.background';
const MASK_KEY = 'backdrop.maskOptions';
const IMAGE_DIR = 'backgrounds';
const IMAGE_FILE = 'image';

/** Remembers the background effect; an image's bytes go to the origin-private file system. */
export async function saveBackground(effect: BackgroundEffect): Promise<void> {
  const { image, ...rest } = effect as BackgroundEffect & { image?: Blob };
  if (effect.type === 'image' && image) {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(IMAGE_DIR, { create: true });
    const w = await (await dir.getFileHandle(IMAGE_FILE, { create: true })).createWritable();
    await w.write(image);
    await w.close();
  }
  localStorage.setItem(BG_KEY, JSON.stringify(rest));
}

/** The remembered background effect (with its image), or null. */
export async function loadBackground(): Promise<BackgroundEffect | null> {
  const raw = localStorage.getItem(BG_KEY);
  if (!raw) return null;
  let effect: BackgroundEffect;
  try { effect = JSON.parse(raw) as BackgroundEffect; } catch { return null; }
  if (effect.type === 'image') {
    try {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(IMAGE_DIR);
      return { ...effect, image: await (await dir.getFileHandle(IMAGE_FILE)).getFile() };
    } catch {
      return null;
    }
  }
  return effect;
}

/** Remembers the mask knobs. */
export function saveMaskOptions(o: MaskOptions): void {
  localStorage.setItem(MASK_KEY, JSON.stringify(o));
}

/** The remembered mask knobs, or null. */
export function loadMaskOptions(): Partial<MaskOptions> | null {
  try {
    const raw = localStorage.getItem(MASK_KEY);
    return raw ? (JSON.parse(raw) as Partial<MaskOptions>) : null;
  } catch {
    return null;
  }
}
