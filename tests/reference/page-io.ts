/** Page side of ByteServer (byte-server.ts): fetch inputs, post results. */

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`fetch ${url}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

export async function postBytes(prefix: string, name: string, bytes: Uint8Array): Promise<void> {
  // A Blob body with no type keeps this a CORS "simple" request: no preflight.
  const r = await fetch(`${prefix}/${name}`, { method: 'POST', body: new Blob([bytes as Uint8Array<ArrayBuffer>]) });
  if (!r.ok) throw new Error(`post ${prefix}/${name}: ${r.status}`);
}
