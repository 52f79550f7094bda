/**
 * Page-side helper for GPU kernel tests: a fresh device per test inside validation and
 * out-of-memory error scopes, texture readback with WebGPU's 256-byte row alignment, and
 * destruction of everything the test made.
 */
export interface GpuTest {
  device: GPUDevice;
  /** Creates a texture that is destroyed when the test ends. */
  texture(desc: GPUTextureDescriptor): GPUTexture;
  /** Creates a buffer that is destroyed when the test ends. */
  buffer(desc: GPUBufferDescriptor): GPUBuffer;
  /** Uploads tightly packed RGBA8 pixels into a new rgba8unorm texture. */
  textureFromRgba(data: Uint8Array, width: number, height: number, usage?: number): GPUTexture;
  /** Reads a 4-byte-per-texel texture back as tightly packed bytes. */
  readTexture(tex: GPUTexture): Promise<Uint8Array>;
  /** Reads a buffer back. */
  readBuffer(buf: GPUBuffer, size?: number): Promise<Uint8Array>;
}

/** Runs `fn` with a fresh device; throws if any validation or OOM error was raised. */
export async function withGpu<T>(fn: (t: GpuTest) => Promise<T>, features: GPUFeatureName[] = []): Promise<T> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter in this browser');
  const device = await adapter.requestDevice({ requiredFeatures: features.filter((f) => adapter.features.has(f)) });
  const made: { destroy(): void }[] = [];
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const t: GpuTest = {
    device,
    texture(desc) { const x = device.createTexture(desc); made.push(x); return x; },
    buffer(desc) { const x = device.createBuffer(desc); made.push(x); return x; },
    textureFromRgba(data, width, height, usage = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT) {
      const tex = t.texture({ size: [width, height], format: 'rgba8unorm', usage, label: 'test-input' });
      device.queue.writeTexture({ texture: tex }, data, { bytesPerRow: width * 4 }, [width, height]);
      return tex;
    },
    async readTexture(tex) {
      const w = tex.width, h = tex.height;
      const padded = Math.ceil((w * 4) / 256) * 256;
      const buf = t.buffer({ size: padded * h, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ, label: 'test-readback' });
      const enc = device.createCommandEncoder();
      enc.copyTextureToBuffer({ texture: tex }, { buffer: buf, bytesPerRow: padded }, [w, h]);
      device.queue.submit([enc.finish()]);
      await buf.mapAsync(GPUMapMode.READ);
      const src = new Uint8Array(buf.getMappedRange());
      const out = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++) out.set(src.subarray(y * padded, y * padded + w * 4), y * w * 4);
      buf.unmap();
      return out;
    },
    async readBuffer(src, size = src.size) {
      const buf = t.buffer({ size, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ, label: 'test-readback' });
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, buf, 0, size);
      device.queue.submit([enc.finish()]);
      await buf.mapAsync(GPUMapMode.READ);
      const out = new Uint8Array(buf.getMappedRange().slice(0));
      buf.unmap();
      return out;
    },
  };
  try {
    const result = await fn(t);
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (validation) throw new Error(`WebGPU validation error: ${validation.message}`);
    if (oom) throw new Error(`WebGPU out-of-memory error: ${oom.message}`);
    return result;
  } finally {
    for (const m of made) m.destroy();
    device.destroy();
  }
}

/** Base64 → bytes (test data crosses from Node as base64 strings). */
export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes → base64 for returning results to Node. */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}
