import {
  StreamAuthError, StreamConnectError, StreamEndpointError, StreamError, StreamServerError, StreamTimeoutError,
} from './stream-errors.ts';

/**
 * The HTTP half of WHIP (RFC 9725): POST the SDP offer, keep the resource the Location header
 * names, PATCH it for an ICE restart, DELETE it on stop. A small client of our own rather than
 * the `whip-whep` package: the studio already owns its RTCPeerConnection (codec order, bitrate
 * cap, reconnection), so only these three requests were needed, and owning them gives every
 * failure a typed error that says what to fix, within a bounded time.
 */

/** How long the server may take to answer the offer before the person is told. */
export const OFFER_TIMEOUT_MS = 6000;
/** DELETE on stop is a courtesy: the server also notices the connection close. */
const DELETE_TIMEOUT_MS = 2000;

/** The server's answer to an offer, and how to reach the session it made. */
export interface WhipAnswer {
  sdp: string;
  /** The session's resource (absolute URL). */
  resource: string;
  etag: string | null;
  /** Whether the server takes ICE restarts and trickle on the resource (Accept-Patch). */
  canPatch: boolean;
  /** STUN/TURN servers offered in Link headers. */
  iceServers: RTCIceServer[];
}

/** Checks a WHIP URL as typed by a person: http(s) only; throws StreamEndpointError otherwise. */
export function parseWhipUrl(url: string): URL {
  let u: URL;
  try { u = new URL(url.trim()); } catch {
    throw new StreamEndpointError(`"${url}" is not a web address. Paste the WHIP URL your server gives (it starts with https://).`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new StreamEndpointError(`A WHIP URL starts with https:// (or http:// on this machine); "${u.protocol}" addresses such as RTMP need another program.`);
  }
  return u;
}

/** Reads ICE servers from Link headers (`<stun:host>; rel="ice-server"; username=...; credential=...`). */
export function parseLinkIceServers(header: string | null): RTCIceServer[] {
  if (!header) return [];
  const out: RTCIceServer[] = [];
  // Links are comma-separated, but a comma may also sit inside a quoted value.
  for (const link of header.match(/<[^>]*>(?:\s*;\s*[^;,=]+(?:=(?:"[^"]*"|[^;,]*))?)*/g) ?? []) {
    const url = /^<([^>]*)>/.exec(link)?.[1];
    const params = new Map<string, string>();
    for (const m of link.matchAll(/;\s*([^;,=\s]+)\s*(?:=\s*(?:"([^"]*)"|([^;,]*)))?/g)) params.set(m[1]!.toLowerCase(), (m[2] ?? m[3] ?? '').trim());
    if (!url || params.get('rel') !== 'ice-server' || !/^(stun|stuns|turn|turns):/.test(url)) continue;
    const server: RTCIceServer = { urls: url };
    if (params.has('username')) server.username = params.get('username');
    if (params.has('credential')) server.credential = params.get('credential');
    out.push(server);
  }
  return out;
}

/** Cuts a server's error text to something a banner can show. */
function said(body: string): string {
  const t = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return t ? ` The server said: "${t.length > 160 ? `${t.slice(0, 157)}…` : t}".` : '';
}

/** The typed error for an HTTP status the offer got (not 2xx). */
export function statusError(status: number, statusText: string, body: string, where: string): StreamError {
  const code = `${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 401 || status === 403) {
    return new StreamAuthError(`The WHIP server at ${where} refused the stream (${code}). Check the bearer token (stream key)` +
      `${status === 403 ? ', and that no other publisher is using this endpoint' : ''}.${said(body)}`, { status });
  }
  if (status === 404 || status === 410) return new StreamEndpointError(`There is no WHIP endpoint at this URL (${code} from ${where}). Check the URL.${said(body)}`, { status });
  if (status === 405 || status === 406 || status === 415) {
    return new StreamEndpointError(`This URL does not take WHIP offers (${code} from ${where}). Check that it is the server's WHIP URL.${said(body)}`, { status });
  }
  return new StreamServerError(`The WHIP server at ${where} could not take the stream (${code}).${said(body)}`, { status, retryable: status >= 500 || status === 429 });
}

/** Runs `fetch` with a deadline; the errors a person can act on replace the browser's. */
async function request(url: string, init: RequestInit, timeoutMs: number, signal: AbortSignal | undefined, where: string): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) {
      throw new StreamTimeoutError(`The WHIP server at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s. Check the URL, and that the server is up.`, { retryable: true });
    }
    throw new StreamConnectError(`Could not reach a WHIP server at ${where}: nothing answered there, or it does not accept requests from this page ` +
      '(CORS). Check the URL and that the server is running.', { retryable: true, cause: String(e) });
  }
}

const authHeaders = (token: string | undefined): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

/** POSTs the offer; resolves to the answer and its resource, or throws a StreamError within `timeoutMs`. */
export async function postOffer(url: string, token: string | undefined, sdp: string, signal?: AbortSignal, timeoutMs = OFFER_TIMEOUT_MS): Promise<WhipAnswer> {
  const where = new URL(url).host;
  const res = await request(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp', ...authHeaders(token) }, body: sdp }, timeoutMs, signal, where);
  const body = await res.text().catch(() => '');
  if (res.status !== 201 && res.status !== 200) throw statusError(res.status, res.statusText, body, where);
  const location = res.headers.get('Location');
  if (!body.startsWith('v=0')) throw new StreamServerError(`The server at ${where} answered, but not with an SDP answer: is this a WHIP URL?${said(body)}`);
  if (!location) {
    throw new StreamServerError(`The WHIP server at ${where} gave no Location for the session (if it is on another site, it must expose the ` +
      'Location header to this page with Access-Control-Expose-Headers).');
  }
  return {
    sdp: body, resource: new URL(location, url).href, etag: res.headers.get('ETag'),
    canPatch: /trickle-ice-sdpfrag/i.test(res.headers.get('Accept-Patch') ?? ''),
    iceServers: parseLinkIceServers(res.headers.get('Link')),
  };
}

/**
 * ICE restart (RFC 9725 §4.4): PATCHes the new ufrag/pwd and candidates to the resource and
 * returns the server's new ICE fragment, or throws a StreamError.
 */
export async function patchIceRestart(resource: string, token: string | undefined, fragment: string, timeoutMs = OFFER_TIMEOUT_MS): Promise<string> {
  const where = new URL(resource).host;
  const res = await request(resource, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '*', ...authHeaders(token) }, body: fragment },
    timeoutMs, undefined, where);
  const body = await res.text().catch(() => '');
  if (res.status !== 200) throw statusError(res.status, res.statusText, body, where);
  return body;
}

/**
 * Ends the session on the server; never throws (the server also notices the connection going).
 * `keepalive` lets the request outlive a page being closed.
 */
export async function deleteResource(resource: string, token: string | undefined, keepalive = false): Promise<boolean> {
  try {
    const res = await fetch(resource, { method: 'DELETE', headers: authHeaders(token), signal: AbortSignal.timeout(DELETE_TIMEOUT_MS), cache: 'no-store', credentials: 'omit', keepalive });
    return res.ok;
  } catch {
    return false;
  }
}
