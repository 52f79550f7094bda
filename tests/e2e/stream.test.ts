/**
 * Going live over WHIP to a real media server while recording: Janus (VideoRoom, recording
 * every publisher) behind Meetecho's simple-whip-server, both started here on loopback ports
 * (tests/helpers/janus.ts). Janus's recordings are turned into files by janus-pp-rec and
 * judged with ffprobe / ffmpeg, like the local recording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { makeY4m, scratchDir, shared } from '../helpers/media.ts';
import { audioSamples, probe, psnr, rms } from '../helpers/av.ts';
import { ev, saveFileFromPage, studioReady, waitInPage } from '../helpers/studio.ts';
import { convertRecording, freePort, startWhipServer, type WhipTestServer } from '../helpers/janus.ts';

const CLIP = 'webcam_woman_640x480_30fps.mp4';
const W = 640, H = 480;
let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage, whip: WhipTestServer;
const out = scratchDir('stream');

beforeAll(async () => {
  whip = await startWhipServer();
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m(CLIP, 6), mic: shared('media/speech_jfk_48k_stereo.wav') });
  wp = await openPage(browser, url);
  await studioReady(wp.page);
  await wp.page.evaluate(`(() => {
    window.__files = []; window.__errors = []; window.__states = [];
    window.studio.addEventListener('recording', (e) => window.__files.push(e.detail));
    window.studio.addEventListener('error', (e) => window.__errors.push({ name: e.detail.name, message: e.detail.message }));
    window.studio.addEventListener('stream', (e) => window.__states.push([e.detail.state, performance.now()]));
  })()`);
  await wp.page.evaluate(`window.studio.setOutput({ width: ${W}, height: ${H}, frameRate: 30 })`);
  await wp.page.evaluate('window.studio.startCamera()');
  await wp.page.evaluate(`window.studio.setBackground({ type: 'blur', strength: 1 })`);
});
afterAll(async () => { await browser?.close(); await server?.close(); await whip?.stop(); });

interface StreamStats { state: string; status: string; videoCodec: string | null; framesSent: number; droppedFramesNetwork: number; droppedFramesHandoff: number; bitrateKbps: number; rttMs: number | null; packetLossPercent: number | null; reconnects: number; connectionState: string | null }
const streamStats = (page: Page) => ev<{ stream: StreamStats; render: { outputDropped: number; framesRendered: number } }>(page, 'window.studio.getStats()');

/** Gray frames of a video at W×H. */
function grayFrames(file: string): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `scale=${W}:${H},format=gray`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 30 });
  return Array.from({ length: Math.floor(raw.length / (W * H)) }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * W * H, W * H));
}

/** First and last packet times of the first stream of a kind (s), and its largest gap that starts between `from` and `to` s. */
function streamTiming(file: string, kind: 'v' | 'a', from = 0, to = Infinity): { first: number; last: number; duration: number; maxGap: number; gapAt: number; packets: number } {
  const pts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', `${kind}:0`, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' })
    .trim().split('\n').map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  let maxGap = 0, gapAt = 0;
  for (let i = 1; i < pts.length; i++) if (pts[i - 1] >= from && pts[i - 1] <= to && pts[i] - pts[i - 1] > maxGap) { maxGap = pts[i] - pts[i - 1]; gapAt = pts[i - 1]; }
  const first = pts[0] ?? 0, last = pts[pts.length - 1] ?? 0;
  return { first, last, duration: last - first, maxGap, gapAt, packets: pts.length };
}

/** Best-match PSNR (dB) of `n` evenly spread stream frames, each against every frame of the reference. */
function resemblance(stream: Uint8Array[], reference: Uint8Array[], n = 8): number[] {
  const picks = Array.from({ length: n }, (_, i) => stream[Math.floor(((i + 0.5) / n) * stream.length)]!);
  return picks.map((f) => Math.max(...reference.map((r) => psnr(f, r))));
}

/** An endpoint that answers every WHIP request with 401 (and CORS headers, as a real server must for the page to read it). */
async function unauthorizedServer(): Promise<{ url: string; close(): void }> {
  const srv: Server = createHttpServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
    res.setHeader('Access-Control-Allow-Methods', 'POST, PATCH, DELETE, OPTIONS');
    if (req.method === 'OPTIONS') { res.writeHead(204).end(); return; }
    req.resume();
    res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }).end('invalid stream key');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/whip/live`, close: () => srv.close() };
}

/** An endpoint that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; close(): void }> {
  const sockets: Socket[] = [];
  const srv = createTcpServer((sock) => { sockets.push(sock); sock.resume(); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/whip/live`, close: () => { for (const x of sockets) x.destroy(); srv.close(); } };
}

let first: { local: string; elapsed: number; stats: StreamStats } | null = null;

describe('going live over WHIP (Janus + simple-whip-server)', () => {
  it('streams 10 s of the camera with blur to Janus while recording: the stream plays, looks like the program and has sound', async () => {
    const { page } = wp;
    const endpoint = await whip.createEndpoint('live', 'secret-token');
    await page.evaluate('window.studio.startRecording()');
    // The recorder's first second (encoder start-up on a loaded machine) is not the stream's business.
    await page.waitForTimeout(2000);
    const t0 = Date.now();
    const info = await ev<{ videoCodec: string; audioCodec: string; width: number; height: number }>(page,
      `window.studio.startStream({ url: ${JSON.stringify(endpoint)}, token: 'secret-token', videoBitrate: 2500000 })`);
    const liveAfter = Date.now() - t0;
    console.log(`live after ${liveAfter} ms: ${JSON.stringify(info)}`);
    expect(info.videoCodec).toBe('H.264');
    expect(info.audioCodec?.toLowerCase()).toBe('opus');
    await waitInPage(page, `document.querySelector('#stream-status')?.textContent === 'Live'`, 5000);
    await page.waitForTimeout(10_000);
    const s = await streamStats(page);
    console.log('stream stats after 10 s:', JSON.stringify(s.stream));
    expect(s.stream.state).toBe('live');
    expect(s.stream.connectionState).toBe('connected');
    await page.evaluate('window.studio.stopStream()');
    const elapsed = (Date.now() - t0) / 1000;
    const local = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    first = { local: local.path, elapsed, stats: s.stream };

    const sessions = whip.recordings();
    expect(sessions).toHaveLength(1);
    const files = convertRecording(sessions[0]!, out);
    const v = streamTiming(files.video!, 'v');
    const p = probe(files.video!).streams.find((x) => x.codec_type === 'video')!;
    console.log(`Janus recording: ${p.codec_name} ${p.width}x${p.height}, ${v.packets} frames over ${v.duration.toFixed(2)} s (largest gap ${v.maxGap.toFixed(3)} s)`);
    expect(p.codec_name).toBe('h264');
    expect([p.width, p.height]).toEqual([W, H]);
    expect(v.duration).toBeGreaterThanOrEqual(9);
    const level = rms(audioSamples(files.audio!));
    const a = probe(files.audio!).streams.find((x) => x.codec_type === 'audio')!;
    console.log(`Janus audio: ${a.codec_name} ${a.channels} ch, ${Number(a.duration ?? probe(files.audio!).format.duration).toFixed(2)} s, RMS ${level.toFixed(4)} (${(20 * Math.log10(level)).toFixed(1)} dBFS)`);
    expect(a.codec_name).toBe('opus');
    expect(level).toBeGreaterThan(0.01);

    // The stream carries the program: each sampled stream frame has a near twin in the local recording.
    const scores = resemblance(grayFrames(files.video!), grayFrames(local.path));
    const sorted = [...scores].sort((x, y) => x - y);
    console.log(`stream frames vs best local-recording frame, luma PSNR ${W}x${H}: ${scores.map((x) => x.toFixed(1)).join(', ')} dB (median ${sorted[4]!.toFixed(1)})`);
    expect(sorted[4]).toBeGreaterThanOrEqual(28);
    expect(sorted[0]).toBeGreaterThanOrEqual(22);
    // Stop sent DELETE: the WHIP server tore the session down at once.
    expect(whip.log()).toMatch(/\[live\] Terminating WHIP session/);
  });

  it('the recording made while streaming is whole: both tracks for the whole time, every frame decodes', () => {
    expect(first).not.toBeNull();
    const { local, elapsed, stats } = first!;
    // The stream started 2 s into the recording: both tracks must cover it, without gaps, and end together.
    const v = streamTiming(local, 'v', 1.5), a = streamTiming(local, 'a', 1.5);
    const errors = execFileSync('ffmpeg', ['-v', 'error', '-i', local, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`local recording: video ${v.first.toFixed(2)}–${v.last.toFixed(2)} s (${v.packets} frames, largest gap from 1.5 s ${v.maxGap.toFixed(3)} s at ${v.gapAt.toFixed(2)} s), ` +
      `audio ${a.first.toFixed(2)}–${a.last.toFixed(2)} s (largest gap ${a.maxGap.toFixed(3)} s); stream on for ${elapsed.toFixed(1)} s; ` +
      `stream sent ${stats.framesSent} frames, dropped (network) ${stats.droppedFramesNetwork}, missed at hand-off ${stats.droppedFramesHandoff}`);
    expect(errors.trim()).toBe('');
    expect(v.duration).toBeGreaterThanOrEqual(elapsed + 1.5);
    expect(a.first).toBeLessThanOrEqual(1.5);
    expect(Math.abs(a.last - v.last)).toBeLessThanOrEqual(0.5);
    expect(v.maxGap).toBeLessThanOrEqual(1);
    expect(a.maxGap).toBeLessThanOrEqual(0.1);
  });

  it('Janus stopped 4 s into a stream and started again: the panel says Reconnecting…, the recording has no gap, the stream resumes by itself', async () => {
    const { page } = wp;
    const endpoint = await whip.createEndpoint('again');
    const before = whip.recordings().length;
    const recAt = Date.now();
    await page.evaluate('window.studio.startRecording()');
    await page.waitForTimeout(2000);
    // Started from the Go live panel, as a person would.
    await page.fill('#stream-url', endpoint);
    await page.fill('#stream-token', '');
    await page.click('#stream-toggle');
    await waitInPage(page, `document.querySelector('#stream-status')?.textContent === 'Live'`, 10_000);
    await page.waitForTimeout(4000);
    const stoppedAt = Date.now();
    await whip.stopJanus();
    await waitInPage(page, `document.querySelector('#stream-status')?.textContent.startsWith('Reconnecting…')`, 15_000);
    const noticed = (Date.now() - stoppedAt) / 1000;
    const rows = await page.textContent('#stream-stats');
    await page.waitForTimeout(1000);
    const restartedAt = Date.now();
    await whip.startJanus();
    await waitInPage(page, `document.querySelector('#stream-status')?.textContent === 'Live'`, 30_000);
    const liveAgainAt = Date.now();
    const resumed = (liveAgainAt - restartedAt) / 1000;
    await page.waitForTimeout(4000);
    const s = await streamStats(page);
    await page.click('#stream-toggle');
    await waitInPage(page, `window.studio.streamState === 'idle'`, 10_000);
    const local = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const states = await ev<[string, number][]>(page, 'window.__states.map(([s]) => s)');
    console.log(`Janus down: panel said "Reconnecting…" after ${noticed.toFixed(1)} s; live again ${resumed.toFixed(1)} s after Janus restarted; ` +
      `reconnects ${s.stream.reconnects}; states ${states.join(' → ')}`);
    expect(rows).toContain('Dropped frames (network)');
    expect(noticed).toBeLessThanOrEqual(10);
    expect(s.stream.reconnects).toBeGreaterThanOrEqual(1);
    expect(s.stream.state).toBe('live');

    // Janus recorded a second publisher session, after the restart, and it plays.
    const sessions = whip.recordings().slice(before);
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    const last = convertRecording(sessions[sessions.length - 1]!, out);
    const v2 = streamTiming(last.video!, 'v');
    console.log(`Janus sessions: ${sessions.length}; the last: ${v2.packets} frames over ${v2.duration.toFixed(2)} s`);
    expect(v2.duration).toBeGreaterThanOrEqual(3);
    expect(rms(audioSamples(last.audio!))).toBeGreaterThan(0.01);

    // The local recording went on through the outage (from Janus stopping to the stream being live again, ±1 s) without a gap.
    const from = (stoppedAt - recAt) / 1000 - 1, to = (liveAgainAt - recAt) / 1000 + 1;
    const v = streamTiming(local.path, 'v', from, to), a = streamTiming(local.path, 'a', from, to), whole = streamTiming(local.path, 'v', 1.5);
    console.log(`local recording: video ${v.duration.toFixed(2)} s (${v.packets} frames; largest gap from 1.5 s ${whole.maxGap.toFixed(3)} s at ${whole.gapAt.toFixed(2)} s, ` +
      `in the outage ${from.toFixed(1)}–${to.toFixed(1)} s ${v.maxGap.toFixed(3)} s at ${v.gapAt.toFixed(2)} s), audio ${a.first.toFixed(2)}–${a.last.toFixed(2)} s (largest gap in the outage ${a.maxGap.toFixed(3)} s)`);
    // A gap would last as long as the outage (over 5 s); frames come 0.1–0.5 s apart on this loaded two-core machine with blur.
    expect(v.duration).toBeGreaterThanOrEqual((liveAgainAt - recAt) / 1000);
    expect(v.maxGap).toBeLessThanOrEqual(1);
    expect(whole.maxGap).toBeLessThanOrEqual(1);
    expect(a.maxGap).toBeLessThanOrEqual(0.1);
    expect(Math.abs(a.last - v.last)).toBeLessThanOrEqual(0.5);
  });

  it('a wrong URL, a 401, a wrong token and an endpoint that never answers each give a clear message within 10 s; the recording goes on', async () => {
    const { page } = wp;
    const unauthorized = await unauthorizedServer(), silent = await silentServer();
    const secured = await whip.createEndpoint('locked', 'the-token');
    const cases: { what: string; opts: Record<string, string>; error: string; message: RegExp }[] = [
      { what: 'not a WHIP address', opts: { url: 'rtmp://127.0.0.1/live' }, error: 'StreamEndpointError', message: /starts with https:\/\// },
      { what: 'nothing listening', opts: { url: `http://127.0.0.1:${await freePort()}/whip/endpoint/live` }, error: 'StreamConnectError', message: /Could not reach a WHIP server .* Check the URL/ },
      { what: 'no such endpoint (404)', opts: { url: `${whip.origin}/whip/endpoint/nope` }, error: 'StreamEndpointError', message: /no WHIP endpoint at this URL \(404/ },
      { what: '401 from the endpoint', opts: { url: unauthorized.url, token: 'wrong' }, error: 'StreamAuthError', message: /refused the stream \(401 Unauthorized\)\. Check the bearer token.*invalid stream key/ },
      { what: 'wrong token (Janus WHIP: 403)', opts: { url: secured, token: 'not-the-token' }, error: 'StreamAuthError', message: /refused the stream \(403 Forbidden\)\. Check the bearer token/ },
      { what: 'never answers', opts: { url: silent.url }, error: 'StreamTimeoutError', message: /did not answer within 6 s/ },
    ];
    await page.evaluate('window.studio.startRecording()');
    const recAt = Date.now();
    const rendered0 = (await streamStats(page)).render.framesRendered;
    try {
      for (const c of cases) {
        const r = await ev<{ ms: number; name: string; message: string; state: string }>(page, `(async () => {
          const t0 = performance.now();
          try { await window.studio.startStream(${JSON.stringify(c.opts)}); return { ms: 0, name: 'none', message: 'it went live', state: '' }; }
          catch (e) { return { ms: performance.now() - t0, name: e.name, message: e.message, state: window.studio.streamState }; }
        })()`);
        console.log(`${c.what}: ${r.name} after ${(r.ms / 1000).toFixed(2)} s — "${r.message}"`);
        expect(r.name).toBe(c.error);
        expect(r.message).toMatch(c.message);
        expect(r.ms).toBeLessThan(10_000);
        expect(r.state).toBe('idle');
        expect(await ev(page, 'window.studio.recordingState')).toBe('recording');
      }
      // The panel shows what went wrong when Go live is pressed there.
      await page.fill('#stream-url', unauthorized.url);
      await page.click('#stream-toggle');
      await waitInPage(page, `/Offline — .*401 Unauthorized/.test(document.querySelector('#stream-status')?.textContent)`, 10_000);
    } finally {
      unauthorized.close();
      silent.close();
    }
    const s = await streamStats(page);
    expect(s.render.framesRendered).toBeGreaterThan(rendered0 + 30);
    expect(await ev(page, 'window.studio.cameraState')).toBe('on');
    const local = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const v = streamTiming(local.path, 'v', 1.5), elapsed = (Date.now() - recAt) / 1000;
    console.log(`recording through the failed starts: ${v.duration.toFixed(2)} s of ${elapsed.toFixed(1)} s, largest gap from 1.5 s ${v.maxGap.toFixed(3)} s`);
    expect(v.duration).toBeGreaterThanOrEqual(elapsed - 1.5);
    expect(v.maxGap).toBeLessThanOrEqual(1);
  });

  it('sends the codec chosen (H.264, VP8, VP9, AV1) and says so when the server does not take it', async () => {
    const { page } = wp;
    const endpoint = await whip.createEndpoint('codecs'), vp8Only = await whip.createEndpoint('vp8-only', undefined, true);
    const refused = await ev<string>(page, `window.studio.startStream({ url: ${JSON.stringify(vp8Only)}, videoCodec: 'h264' }).then(() => 'live', (e) => e.name + ': ' + e.message)`);
    console.log(`H.264 to a VP8-only room: ${refused}`);
    expect(refused).toMatch(/^StreamNegotiationError: The server does not take H\.264 video/);
    const got: string[] = [];
    for (const codec of ['vp8', 'vp9', 'av1', 'h264']) {
      const info = await ev<{ videoCodec: string }>(page, `window.studio.startStream({ url: ${JSON.stringify(endpoint)}, videoCodec: '${codec}', videoBitrate: 1000000 })`);
      await page.waitForTimeout(2500);
      await page.evaluate('window.studio.stopStream()');
      const video = convertRecording(whip.recordings().at(-1)!, out).video!;
      const p = probe(video).streams.find((x) => x.codec_type === 'video')!;
      got.push(`${codec} → ${info.videoCodec}, Janus recorded ${p.codec_name} ${p.width}x${p.height} (${p.nb_read_frames} frames)`);
      expect(p.codec_name).toBe(codec);
      expect(Number(p.nb_read_frames)).toBeGreaterThan(5);
    }
    console.log(got.join('; '));
  });

  it('requests nothing from origins but its own and the WHIP endpoints entered, and keeps the token out of the scene file and storage', async () => {
    const { page } = wp;
    const allowed = [whip.origin, /^http:\/\/127\.0\.0\.1:\d+\/whip\//];
    const foreign = wp.foreignRequests.filter((u) => !allowed.some((a) => (typeof a === 'string' ? u.startsWith(a) : a.test(u))));
    console.log(`requests to other origins: ${wp.foreignRequests.length}, all to WHIP endpoints the test entered: ${[...new Set(wp.foreignRequests.map((u) => new URL(u).origin))].join(', ')}`);
    expect(foreign).toEqual([]);
    const scene = await ev<string>(page, 'JSON.stringify(window.studio.getSceneCollection())');
    const stored = await ev<string>(page, 'JSON.stringify(Object.entries(localStorage))');
    expect(scene).not.toContain('secret-token');
    expect(stored).not.toContain('secret-token');
    expect(stored).toContain('backdrop.stream');
    // Failed requests are logged by the browser itself ("Failed to load resource"); nothing else.
    expect(wp.consoleErrors.filter((m) => !/Failed to load resource|net::ERR_|CORS/.test(m))).toEqual([]);
  });
});
