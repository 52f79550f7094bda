import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { chooseCodec, codecOfMime, preferCodec, preferStereoOpus, sdpVideoCodecs, sendableCodecs, type CodecCapability } from '../../src/stream/codecs.ts';
import { deleteResource, parseLinkIceServers, parseWhipUrl, patchIceRestart, postOffer, statusError } from '../../src/stream/whip-client.ts';
import { StreamTotals, bitrateKbps, sampleReport } from '../../src/stream/stream-stats.ts';
import { StreamAuthError, StreamConnectError, StreamEndpointError, StreamServerError, StreamTimeoutError } from '../../src/stream/stream-errors.ts';
import { retryDelayMs } from '../../src/studio/streamer.ts';

/** Chromium 156's video send capabilities (RTCRtpSender.getCapabilities('video').codecs), as measured. */
const CHROMIUM_CAPS: CodecCapability[] = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000 },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f' },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f' },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f' },
  { mimeType: 'video/AV1', clockRate: 90000, sdpFmtpLine: 'level-idx=5;profile=0;tier=0' },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=2' },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
  { mimeType: 'video/red', clockRate: 90000 },
  { mimeType: 'video/ulpfec', clockRate: 90000 },
];

describe('codec preference', () => {
  it('offers only the chosen codec, best variant first, then the repair codecs', () => {
    const h264 = preferCodec(CHROMIUM_CAPS, 'h264');
    expect(h264.map((c) => c.sdpFmtpLine ?? c.mimeType)).toEqual([
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f',
      'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
      'video/rtx', 'video/red', 'video/ulpfec',
    ]);
    expect(preferCodec(CHROMIUM_CAPS, 'vp9').map((c) => c.sdpFmtpLine ?? c.mimeType).slice(0, 2)).toEqual(['profile-id=0', 'profile-id=2']);
    expect(preferCodec(CHROMIUM_CAPS, 'av1')[0]!.mimeType).toBe('video/AV1');
    expect(preferCodec(CHROMIUM_CAPS, 'vp8').filter((c) => !/rtx|red|ulpfec/.test(c.mimeType)).map((c) => c.mimeType)).toEqual(['video/VP8']);
  });

  it('picks the asked codec if the browser sends it, else the first of H.264, VP8, VP9, AV1', () => {
    const all = sendableCodecs(CHROMIUM_CAPS);
    expect(all).toEqual(['h264', 'vp8', 'vp9', 'av1']);
    expect(chooseCodec(undefined, all)).toBe('h264');
    expect(chooseCodec('vp9', all)).toBe('vp9');
    expect(chooseCodec(undefined, ['vp8', 'vp9'])).toBe('vp8');
    expect(chooseCodec('av1', ['vp8'])).toBeNull();
    expect(codecOfMime('video/H264')).toBe('h264');
    expect(codecOfMime('video/rtx')).toBeNull();
  });

  it('reads the codecs of an answer\'s video section (none when it was rejected)', () => {
    const answer = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n';
    expect(sdpVideoCodecs(answer)).toEqual(['vp8', 'rtx']);
    expect(sdpVideoCodecs(answer.replace('m=video 9', 'm=video 0'))).toEqual([]);
    expect(sdpVideoCodecs('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n')).toEqual([]);
  });

  it('asks for stereo Opus in the answer, once, whether or not it has an fmtp line', () => {
    const withFmtp = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n';
    expect(preferStereoOpus(withFmtp)).toContain('a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1\r\n');
    expect(preferStereoOpus(preferStereoOpus(withFmtp))).toBe(preferStereoOpus(withFmtp));
    const bare = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 109\r\na=rtpmap:109 opus/48000/2\r\na=sendrecv\r\n';
    expect(preferStereoOpus(bare)).toBe('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 109\r\na=rtpmap:109 opus/48000/2\r\na=fmtp:109 stereo=1;sprop-stereo=1\r\na=sendrecv\r\n');
    expect(preferStereoOpus('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n')).toBe('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n');
  });
});

describe('WHIP requests', () => {
  let srv: Server, base = '';
  const seen: { method: string; url: string; auth?: string; type?: string; ifMatch?: string; body: string }[] = [];
  beforeAll(async () => {
    srv = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d; });
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers['content-type'], ifMatch: req.headers['if-match'] as string | undefined, body });
        if (req.url === '/whip/ok' && req.method === 'POST') {
          res.writeHead(201, {
            'Content-Type': 'application/sdp', Location: '/whip/resource/abc', ETag: '"e1"', 'Accept-Patch': 'application/trickle-ice-sdpfrag',
            Link: '<stun:stun.example.net>; rel="ice-server", <turn:turn.example.net?transport=udp>; rel="ice-server"; username="u"; credential="p, q"; credential-type="password"',
          }).end('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n');
        } else if (req.url === '/whip/resource/abc' && req.method === 'PATCH') {
          res.writeHead(200, { 'Content-Type': 'application/trickle-ice-sdpfrag' }).end('a=ice-ufrag:srv2\r\na=ice-pwd:pwd2\r\n');
        } else if (req.url === '/whip/resource/abc' && req.method === 'DELETE') {
          res.writeHead(200).end();
        } else if (req.url === '/whip/html') {
          res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Welcome</body></html>');
        } else if (req.url === '/whip/no-location') {
          res.writeHead(201, { 'Content-Type': 'application/sdp' }).end('v=0\r\n');
        } else if (req.url === '/whip/busy') {
          res.writeHead(503).end('Janus unavailable');
        } else if (req.url === '/whip/slow') {
          // never answers
        } else {
          res.writeHead(404).end('Invalid endpoint ID');
        }
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  });
  afterAll(() => { srv.closeAllConnections(); srv.close(); });

  it('POSTs the offer with the token and reads the answer, its resource, ETag, Accept-Patch and ICE servers', async () => {
    const a = await postOffer(`${base}/whip/ok`, 'tok', 'v=0\r\noffer\r\n');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', auth: 'Bearer tok', type: 'application/sdp', body: 'v=0\r\noffer\r\n' });
    expect(a).toMatchObject({ resource: `${base}/whip/resource/abc`, etag: '"e1"', canPatch: true });
    expect(a.sdp.startsWith('v=0')).toBe(true);
    expect(a.iceServers).toEqual([{ urls: 'stun:stun.example.net' }, { urls: 'turn:turn.example.net?transport=udp', username: 'u', credential: 'p, q' }]);
    expect(await patchIceRestart(a.resource, 'tok', 'a=ice-ufrag:x\r\na=ice-pwd:y\r\n')).toContain('a=ice-ufrag:srv2');
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', type: 'application/trickle-ice-sdpfrag', ifMatch: '*', auth: 'Bearer tok' });
    expect(await deleteResource(a.resource, 'tok')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/whip/resource/abc', auth: 'Bearer tok' });
  });

  it('gives each failure a typed error a person can act on', async () => {
    const fail = (url: string, timeout?: number) => postOffer(url, undefined, 'v=0\r\n', undefined, timeout).then(() => null, (e: Error) => e);
    const notFound = await fail(`${base}/whip/nope`);
    expect(notFound).toBeInstanceOf(StreamEndpointError);
    expect(notFound?.message).toMatch(/no WHIP endpoint at this URL \(404 Not Found.*"Invalid endpoint ID"/);
    expect(await fail(`${base}/whip/html`)).toBeInstanceOf(StreamServerError);
    expect((await fail(`${base}/whip/html`))?.message).toMatch(/not with an SDP answer.*"Welcome"/);
    expect((await fail(`${base}/whip/no-location`))?.message).toMatch(/no Location/);
    const busy = await fail(`${base}/whip/busy`);
    expect(busy).toBeInstanceOf(StreamServerError);
    expect((busy as StreamServerError).retryable).toBe(true);
    const t0 = Date.now();
    const slow = await fail(`${base}/whip/slow`, 300);
    expect(slow).toBeInstanceOf(StreamTimeoutError);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await fail('http://127.0.0.1:9/whip')).toBeInstanceOf(StreamConnectError);
    expect(statusError(401, 'Unauthorized', 'bad key', 'h')).toBeInstanceOf(StreamAuthError);
    expect(statusError(403, 'Forbidden', '', 'h').message).toMatch(/no other publisher/);
    expect(statusError(405, 'Method Not Allowed', '', 'h')).toBeInstanceOf(StreamEndpointError);
    expect(await deleteResource('http://127.0.0.1:9/whip/resource/x', undefined)).toBe(false);
  });

  it('checks the URL before anything is sent', () => {
    expect(parseWhipUrl(' https://example.com/whip ').href).toBe('https://example.com/whip');
    expect(() => parseWhipUrl('rtmp://example.com/live')).toThrow(StreamEndpointError);
    expect(() => parseWhipUrl('example.com/whip')).toThrow(/not a web address/);
    expect(parseLinkIceServers(null)).toEqual([]);
    expect(parseLinkIceServers('<https://example.com/x>; rel="preload"')).toEqual([]);
  });
});

describe('stream statistics', () => {
  const report = (at: number, o: { vBytes: number; aBytes: number; sent: number; framesIn: number; lost: number; last: number }) => [
    { type: 'outbound-rtp', id: 'v', kind: 'video', timestamp: at, bytesSent: o.vBytes, headerBytesSent: 0, packetsSent: 100, framesSent: o.sent, frameWidth: 640, frameHeight: 480, framesPerSecond: 30, qualityLimitationReason: 'none', codecId: 'c1' },
    { type: 'outbound-rtp', id: 'a', kind: 'audio', timestamp: at, bytesSent: o.aBytes, headerBytesSent: 0, packetsSent: 50 },
    { type: 'remote-inbound-rtp', id: 'rv', kind: 'video', timestamp: at, packetsLost: o.lost, roundTripTime: 0.012 },
    { type: 'media-source', id: 'm', kind: 'video', timestamp: at, frames: o.framesIn },
    { type: 'transport', id: 't', timestamp: at, selectedCandidatePairId: 'p' },
    { type: 'candidate-pair', id: 'p', timestamp: at, lastPacketReceivedTimestamp: o.last, currentRoundTripTime: 0.5 },
  ];

  it('reads bitrate, RTT, loss and OBS-style network drops, summed over sessions', () => {
    const s1 = sampleReport(report(1000, { vBytes: 0, aBytes: 0, sent: 0, framesIn: 0, lost: 0, last: 990 }));
    const s2 = sampleReport(report(2000, { vBytes: 250_000, aBytes: 4_000, sent: 30, framesIn: 40, lost: 3, last: 1990 }));
    expect(s2).toMatchObject({ width: 640, height: 480, fps: 30, rttMs: 12, lastReceivedAt: 1990, framesSent: 30, framesIn: 40, packetsSent: 150, packetsLost: 3 });
    expect(bitrateKbps(s1, s2)).toBeCloseTo(2032, 0);
    const t = new StreamTotals();
    t.add(s1);
    expect(t.add(s2)).toBeCloseTo(2032, 0);
    // Two frames may sit in the encoder when sampled; beyond that they were dropped.
    expect(t.droppedNetwork).toBe(8);
    expect(t.packetLossPercent).toBeCloseTo(2, 5);
    t.endSession();
    // A new session starts its counters at zero: the totals carry on.
    t.add(sampleReport(report(3000, { vBytes: 1000, aBytes: 0, sent: 20, framesIn: 20, lost: 0, last: 2990 })));
    expect(t.framesSent).toBe(50);
    expect(t.droppedNetwork).toBe(10);
    expect(t.packetLossPercent).toBeCloseTo(1, 5);
  });

  it('waits 0.5 s doubling to 10 s between reconnection attempts', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(retryDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
