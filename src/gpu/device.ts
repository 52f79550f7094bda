import { GPUDeviceLostError, NO_WEBGPU_HELP, WebGPUUnavailableError } from '../util/errors.ts';

export interface GpuContext {
  device: GPUDevice;
  adapterName: string;
  timestampQuery: boolean;
  /** A CPU rasteriser (SwiftShader, llvmpipe): the copy ingest path is faster there. */
  software: boolean;
}

export { NO_WEBGPU_HELP };

/** A CPU rasteriser (SwiftShader, llvmpipe, lavapipe) rather than a GPU. */
export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return info?.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|software/i.test(name);
}

/**
 * Requests an adapter and a device with the optional features the studio uses.
 * `existing` adopts a device someone else made (onnxruntime-web's) so the whole graph shares it.
 */
export async function acquireGpu(onLost: (e: GPUDeviceLostError, device: GPUDevice) => void, existing?: GPUDevice): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new WebGPUUnavailableError(NO_WEBGPU_HELP, { reason: 'navigator.gpu is missing' });
  // The adapter is asked for even when a device is handed in: its info names the GPU and
  // tells a software rasteriser apart, which picks the ingest path.
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter && !existing) throw new WebGPUUnavailableError(NO_WEBGPU_HELP, { reason: 'requestAdapter returned null' });
  const info = adapter?.info;
  const adapterName = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  const software = adapter ? isSoftwareAdapter(adapter) : false;
  let device = existing;
  if (!device) {
    const wanted: GPUFeatureName[] = ['timestamp-query'];
    const requiredFeatures = wanted.filter((f) => adapter!.features.has(f));
    device = await adapter!.requestDevice({ requiredFeatures, label: 'backdrop-studio' });
  }
  const dev = device;
  // A validation error is a bug of ours; make it visible instead of silently dropping the frame.
  dev.addEventListener('uncapturederror', (ev) => console.error('WebGPU error:', (ev as GPUUncapturedErrorEvent).error.message));
  dev.lost.then((info) => {
    if (info.reason !== 'destroyed') onLost(new GPUDeviceLostError(`The GPU device was lost (${info.message || info.reason}).`), dev);
  });
  return { device: dev, adapterName, timestampQuery: dev.features.has('timestamp-query'), software };
}
