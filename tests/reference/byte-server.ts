/**
 * A loopback HTTP side channel for moving frame-sized byte arrays between Node and a test page.
 * page.evaluate serialises arguments and results as JSON over CDP, which costs ~1 s per 5 MB;
 * a plain fetch from the page takes ~0.1 s. The page is on another origin (the Vite server),
 * so responses carry CORS and CORP headers for its cross-origin-isolated context.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

const HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST',
  'Access-Control-Allow-Headers': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
};

export class ByteServer {
  private readonly inputs = new Map<string, Uint8Array>();
  private readonly outputs = new Map<string, Uint8Array>();
  private next = 0;

  private constructor(private readonly server: Server, readonly origin: string) {}

  static async start(): Promise<ByteServer> {
    let self: ByteServer | null = null;
    const server = createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new Error('byte server did not bind');
    self = new ByteServer(server, `http://127.0.0.1:${addr.port}`);
    return self;
  }

  /** Makes `bytes` fetchable by the page; returns its URL. */
  put(bytes: Uint8Array): string {
    const id = `in/${this.next++}`;
    this.inputs.set(id, bytes);
    return `${this.origin}/${id}`;
  }

  /** A fresh URL prefix the page posts results under (`${prefix}/${name}`). */
  outPrefix(): string { return `${this.origin}/out/${this.next++}`; }

  /** Takes a result the page posted to `${prefix}/${name}`. */
  take(prefix: string, name: string): Uint8Array {
    const key = `${new URL(prefix).pathname.slice(1)}/${name}`;
    const b = this.outputs.get(key);
    if (!b) throw new Error(`page posted nothing to ${key}`);
    this.outputs.delete(key);
    return b;
  }

  /** Drops every input; call between tests to bound memory. */
  clear(): void { this.inputs.clear(); this.outputs.clear(); }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const key = (req.url ?? '/').slice(1);
    if (req.method === 'OPTIONS') { res.writeHead(204, HEADERS); res.end(); return; }
    if (req.method === 'POST') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const b = Buffer.concat(parts);
        this.outputs.set(key, new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
        res.writeHead(204, HEADERS); res.end();
      });
      return;
    }
    const b = this.inputs.get(key);
    if (!b) { res.writeHead(404, HEADERS); res.end(); return; }
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': b.byteLength });
    res.end(b);
  }
}
