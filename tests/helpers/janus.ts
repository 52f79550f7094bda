/**
 * A real WHIP media server for the stream tests, on loopback only: Debian's Janus with its
 * VideoRoom plugin recording every publisher (.mjr), behind Meetecho's simple-whip-server
 * (prepared by scripts/whip-server-setup.sh). Janus can be stopped and started again while the
 * WHIP server stays up, as a media server that restarts would.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { basename, join } from 'node:path';
import { repoRoot, scratchDir } from './media.ts';

const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';
/** The VideoRoom room WHIP endpoints publish to (any of H.264, VP8, VP9, AV1; recorded), and one that takes only VP8. */
const ROOM = 4321;
const VP8_ROOM = 4322;

/** A loopback TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Where a library of Janus lives: Debian's multiarch folder, else what ldconfig says. */
function janusLib(): string {
  if (existsSync(JANUS_LIB)) return JANUS_LIB;
  const m = /\s(\S+)\/libjanus_videoroom/.exec(execFileSync('sh', ['-c', 'ls -d /usr/lib/*/janus/plugins/libjanus_videoroom.so 2>/dev/null || true'], { encoding: 'utf8' }));
  if (!m) throw new Error('Janus plugins not found: apt-get install janus janus-tools');
  return m[1].replace(/\/plugins$/, '');
}

/**
 * Janus's configuration: only the WebSocket transport (on 127.0.0.1) and the VideoRoom plugin.
 * Janus (libnice) and Chromium both leave loopback out of ICE, so media goes to this machine's
 * own address: it never leaves the machine either.
 */
function writeJanusConfig(dir: string, wsPort: number, recDir: string): string {
  const lib = janusLib();
  const plugins = join(dir, 'plugins'), transports = join(dir, 'transports'), none = join(dir, 'none');
  for (const d of [plugins, transports, none]) mkdirSync(d, { recursive: true });
  // Folders with just the libraries wanted: the others (SIP, MQTT...) are never loaded.
  if (!existsSync(join(plugins, 'libjanus_videoroom.so'))) symlinkSync(join(lib, 'plugins/libjanus_videoroom.so'), join(plugins, 'libjanus_videoroom.so'));
  if (!existsSync(join(transports, 'libjanus_websockets.so'))) symlinkSync(join(lib, 'transports/libjanus_websockets.so'), join(transports, 'libjanus_websockets.so'));
  writeFileSync(join(dir, 'janus.jcfg'), `general: {
  configs_folder = "${dir}"
  plugins_folder = "${plugins}"
  transports_folder = "${transports}"
  events_folder = "${none}"
  loggers_folder = "${none}"
  debug_level = 4
  debug_timestamps = true
  debug_colors = false
  admin_secret = "unused"
  protected_folders = []
}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  nice_debug = false
  ignore_mdns = true
}
plugins: {
}
transports: {
}
events: {
  broadcast = false
}
`);
  writeFileSync(join(dir, 'janus.transport.websockets.jcfg'), `general: {
  json = "indented"
  ws = true
  ws_port = ${wsPort}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`);
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), `general: {
}
room-${ROOM}: {
  description = "Backdrop Studio stream tests"
  publishers = 4
  bitrate = 0
  fir_freq = 2
  audiocodec = "opus"
  videocodec = "h264,vp8,vp9,av1"
  record = true
  rec_dir = "${recDir}"
}
room-${VP8_ROOM}: {
  description = "A room that takes VP8 video only"
  publishers = 4
  audiocodec = "opus"
  videocodec = "vp8"
  record = false
}
`);
  return join(dir, 'janus.jcfg');
}

/** Resolves when `url` answers at all, or rejects after `ms`. */
async function waitHttp(url: string, ms: number, child: ChildProcess): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    try { await fetch(url); return; } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`${url} did not come up within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once something accepts TCP connections on loopback `port`, or rejects after `ms`. */
async function waitPort(port: number, ms: number, child: ChildProcess, log: () => string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    if (child.exitCode !== null || Date.now() > end) throw new Error(`Janus did not listen on ${port}; log tail:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One recorded publisher session: Janus's .mjr files of its audio and video. */
export interface JanusRecording { stem: string; video: string | null; audio: string | null; /** When Janus started recording it (µs since 1970). */ startUs: number }

/** Turns a session's .mjr files into media files with janus-pp-rec (video: .mp4 for H.264 and AV1, .webm for VP8 and VP9; audio: .opus). */
export function convertRecording(r: JanusRecording, dir: string): { video: string | null; audio: string | null } {
  const conv = (mjr: string | null, exts: string[]) => {
    if (!mjr) return null;
    const codec = JSON.parse(execFileSync('janus-pp-rec', ['-j', mjr], { encoding: 'utf8' }).trim().split('\n').pop()!).c as string;
    const ext = exts.find((e) => e.startsWith(`${codec}:`))?.split(':')[1] ?? 'mkv';
    const out = join(dir, `${basename(mjr, '.mjr')}.${ext}`);
    execFileSync('janus-pp-rec', [mjr, out], { stdio: 'ignore' });
    return out;
  };
  return { video: conv(r.video, ['h264:mp4', 'vp8:webm', 'vp9:webm', 'av1:mp4']), audio: conv(r.audio, ['opus:opus']) };
}

/** A running Janus + WHIP server; `stop()` ends both. */
export interface WhipTestServer {
  /** The WHIP server's origin (http://127.0.0.1:port). */
  origin: string;
  /** Where Janus writes recordings. */
  recDir: string;
  /** Makes a WHIP endpoint publishing to the recorded room (token: required bearer token; vp8Only: the room that takes only VP8); returns its URL. */
  createEndpoint(id: string, token?: string, vp8Only?: boolean): Promise<string>;
  /** Publisher sessions recorded so far, oldest first. */
  recordings(): JanusRecording[];
  /** Stops Janus (the WHIP server stays up and reconnects to it). */
  stopJanus(): Promise<void>;
  /** Starts Janus again with the same configuration. */
  startJanus(): Promise<void>;
  /** Janus's and the WHIP server's output so far. */
  log(): string;
  stop(): Promise<void>;
}

function stopChild(p: ChildProcess | null, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => p.kill('SIGKILL'), 3000);
    p.once('exit', () => { clearTimeout(kill); resolve(); });
    p.kill(signal);
  });
}

/** Starts Janus and simple-whip-server on free loopback ports (the WHIP server's code is prepared first if needed). */
export async function startWhipServer(): Promise<WhipTestServer> {
  if (!existsSync('/usr/bin/janus') && spawnableJanus() === null) throw new Error('janus is missing: apt-get install janus janus-tools');
  const swsDir = execFileSync(join(repoRoot, 'scripts/whip-server-setup.sh'), { encoding: 'utf8', cwd: repoRoot }).trim().split('\n').pop()!;
  const swsRoot = join(repoRoot, swsDir.replace(/^\.\//, ''));
  const dir = scratchDir('janus');
  const recDir = join(dir, 'recordings');
  mkdirSync(recDir, { recursive: true });
  const wsPort = await freePort(), whipPort = await freePort();
  const config = writeJanusConfig(dir, wsPort, recDir);
  let out = '';
  const capture = (tag: string, p: ChildProcess) => {
    p.stdout?.on('data', (d: Buffer) => { out += `[${tag}] ${d}`; if (out.length > 400_000) out = out.slice(-200_000); });
    p.stderr?.on('data', (d: Buffer) => { out += `[${tag}!] ${d}`; });
  };
  let janus: ChildProcess | null = null;
  const startJanus = async () => {
    const before = out.length;
    janus = spawn('janus', ['-C', config, '-F', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    capture('janus', janus);
    await waitPort(wsPort, 15_000, janus, () => out.slice(before));
  };
  await startJanus();
  // The server reads ./config.js beside server.js (it is read once, at start).
  writeFileSync(join(swsRoot, 'src', 'config.js'), `module.exports = { janus: { address: 'ws://127.0.0.1:${wsPort}' }, port: ${whipPort}, ` +
    `rest: '/whip', allowTrickle: true, strictETags: false, iceServers: [] };\n`);
  // server.js listens on every interface: a wrapper makes its port a loopback one.
  writeFileSync(join(swsRoot, 'src', 'loopback.js'), `const net = require('net');\nconst listen = net.Server.prototype.listen;\n` +
    `net.Server.prototype.listen = function (...a) { if (typeof a[0] === 'number') a.splice(1, 0, '127.0.0.1'); return listen.apply(this, a); };\nrequire('./server.js');\n`);
  const whip = spawn(process.execPath, [join('src', 'loopback.js')], { cwd: swsRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBUG: 'whip:info,whip:warn,whip:error,janus:error' } });
  capture('whip', whip);
  // A test process that dies without calling stop() leaves no servers behind.
  const orphans = () => { whip.kill('SIGKILL'); (janus as ChildProcess | null)?.kill('SIGKILL'); };
  process.once('exit', orphans);
  const origin = `http://127.0.0.1:${whipPort}`;
  await waitHttp(`${origin}/whip/healthcheck`, 15_000, whip);

  return {
    origin, recDir,
    async createEndpoint(id, token, vp8Only = false) {
      const r = await fetch(`${origin}/whip/create`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, room: vp8Only ? VP8_ROOM : ROOM, label: `studio-${id}`, ...(token ? { token } : {}) }) });
      if (!r.ok) throw new Error(`creating WHIP endpoint ${id}: ${r.status} ${await r.text()}`);
      return `${origin}/whip/endpoint/${id}`;
    },
    recordings() {
      const files = readdirSync(recDir).filter((f) => f.endsWith('.mjr')).sort();
      const stems = new Map<string, JanusRecording>();
      for (const f of files) {
        // videoroom-<room>-user-<publisher>-<start µs>-<audio|video>-<mid>.mjr: one publisher, one session.
        const m = /^(videoroom-\d+-user-\d+)-(\d+)-(audio|video)-\d+\.mjr$/.exec(f);
        if (!m) continue;
        const r = stems.get(m[1]) ?? { stem: m[1], video: null, audio: null, startUs: Number(m[2]) };
        r[m[3] as 'audio' | 'video'] = join(recDir, f);
        r.startUs = Math.min(r.startUs, Number(m[2]));
        stems.set(m[1], r);
      }
      return [...stems.values()].sort((a, b) => a.startUs - b.startUs);
    },
    async stopJanus() { await stopChild(janus); janus = null; },
    startJanus,
    log: () => out,
    async stop() { process.off('exit', orphans); await stopChild(whip); await stopChild(janus); janus = null; },
  };
}

function spawnableJanus(): string | null {
  try { return execFileSync('sh', ['-c', 'command -v janus'], { encoding: 'utf8' }).trim() || null; } catch { return null; }
}
