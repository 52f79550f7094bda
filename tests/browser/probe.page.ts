export async function probe(): Promise<unknown> {
  const out: Record<string, unknown> = {};
  const adapter = await navigator.gpu?.requestAdapter();
  out.adapter = adapter ? { features: [...adapter.features], info: adapter.info } : null;
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const vt = stream.getVideoTracks()[0];
  out.settings = vt.getSettings();
  out.mstpWindow = typeof (globalThis as any).MediaStreamTrackProcessor;
  const codecs: Record<string, unknown> = {};
  for (const codec of ['avc1.42E01F', 'avc1.640028', 'vp09.00.10.08', 'av01.0.04M.08', 'hvc1.1.6.L93.B0', 'vp8']) {
    for (const hw of ['prefer-hardware', 'no-preference'] as const) {
      try { codecs[codec + ':' + hw] = (await VideoEncoder.isConfigSupported({ codec, width: 640, height: 480, hardwareAcceleration: hw })).supported; } catch (e) { codecs[codec + ':' + hw] = String(e); }
    }
  }
  for (const codec of ['mp4a.40.2', 'opus']) codecs[codec] = (await AudioEncoder.isConfigSupported({ codec, sampleRate: 48000, numberOfChannels: 2, bitrate: 128000 })).supported;
  out.codecs = codecs;
  out.opfs = typeof navigator.storage?.getDirectory;
  out.coi = crossOriginIsolated;
  stream.getTracks().forEach((t) => t.stop());
  return out;
}
