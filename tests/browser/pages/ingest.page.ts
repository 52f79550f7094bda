/**
 * Page side of the ingest kernel test: builds a VideoFrame from raw bytes in a given format
 * and colour space, runs IngestYuvPass and posts the RGBA texture back per variant.
 */
import { IngestYuvPass } from '../../../src/gpu/passes/ingest-yuv.ts';
import { fetchBytes, postBytes } from '../../reference/page-io.ts';
import { withGpu } from './gpu-harness.ts';

export interface IngestVariant {
  /** VideoColorSpace matrix: 'smpte170m' (BT.601) or 'bt709'. */
  matrix: VideoMatrixCoefficients;
  fullRange: boolean;
}

export interface IngestCase {
  format: VideoPixelFormat;
  width: number;
  height: number;
  /** URL of the tightly packed planes. */
  input: string;
  /** URL prefix the RGBA result of variant i is posted to, as `${out}/${i}`. */
  out: string;
  variants: IngestVariant[];
}

/** What the frame reported back, to catch a colour space the VideoFrame constructor dropped. */
export interface IngestSeen { format: string | null; matrix: string | null; fullRange: boolean | null }

export async function ingest(c: IngestCase): Promise<IngestSeen[]> {
  const bytes = await fetchBytes(c.input);
  return withGpu(async (t) => {
    const pass = new IngestYuvPass(t.device);
    const target = t.texture({
      size: [c.width, c.height], format: 'rgba8unorm', label: 'ingest-target',
      usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_SRC | GPUTextureUsage.TEXTURE_BINDING,
    });
    const seen: IngestSeen[] = [];
    try {
      for (const [i, v] of c.variants.entries()) {
        const sd = v.matrix === 'bt709' ? 'bt709' : 'smpte170m';
        const frame = new VideoFrame(bytes, {
          format: c.format, codedWidth: c.width, codedHeight: c.height, timestamp: 0,
          colorSpace: { matrix: v.matrix, fullRange: v.fullRange, primaries: sd, transfer: sd },
        });
        try {
          seen.push({ format: frame.format, matrix: frame.colorSpace.matrix, fullRange: frame.colorSpace.fullRange });
          await pass.upload(frame);
        } finally {
          frame.close();
        }
        const enc = t.device.createCommandEncoder();
        pass.encode(enc, target);
        t.device.queue.submit([enc.finish()]);
        await postBytes(c.out, String(i), await t.readTexture(target));
      }
    } finally {
      pass.destroy();
    }
    return seen;
  });
}
