import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

/** Repository root, wherever the test runs from. */
export const repoRoot = resolve(import.meta.dirname, '../..');
/** The shared media folder that sits beside the repository. */
export const sharedDir = resolve(repoRoot, '../shared');

const cacheDir = join(tmpdir(), 'backdrop-studio-test-media');

/** Path of a file in ../shared, failing loudly when the checkout lacks it. */
export function shared(rel: string): string {
  const p = join(sharedDir, rel);
  if (!existsSync(p)) throw new Error(`missing shared file ${p}: tests expect ../shared beside the repository`);
  return p;
}

/** Converts a shared webcam clip into a .y4m fake-camera file (cached per run machine). */
export function makeY4m(clip = 'webcam_woman_640x480_30fps.mp4', seconds = 4): string {
  mkdirSync(cacheDir, { recursive: true });
  const out = join(cacheDir, `${clip.replace(/\W+/g, '_')}_${seconds}s.y4m`);
  if (!existsSync(out)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', shared(`media/${clip}`), '-t', String(seconds),
      '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', out + '.part']);
    execFileSync('mv', [out + '.part', out]);
  }
  return out;
}

/** A scratch directory for one test's outputs. */
export function scratchDir(name: string): string {
  const d = join(cacheDir, 'out', `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(d, { recursive: true });
  return d;
}
