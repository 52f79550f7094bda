import { StudioError } from '../util/errors.ts';

/**
 * Why a live stream could not start or went down. These stay on the page (they never cross a
 * worker boundary), so they live beside the stream code rather than in util/errors.
 */
export class StreamError extends StudioError {
  /** Whether trying again later may work (the server was down or busy), as opposed to a setting being wrong. */
  get retryable(): boolean { return this.details.retryable === true; }
}

/** Nothing answered at the address (wrong host or port, server down, or it does not allow this page's origin). */
export class StreamConnectError extends StreamError {}
/** The server refused the bearer token (401 or 403). */
export class StreamAuthError extends StreamError {}
/** The URL is not a WHIP endpoint the server knows (not a URL, 404, 405...). */
export class StreamEndpointError extends StreamError {}
/** The server did not answer in time. */
export class StreamTimeoutError extends StreamError {}
/** The server answered with an error of its own (5xx) or something that is not WHIP. */
export class StreamServerError extends StreamError {}
/** The offer was answered, but the media could not be agreed on or could not reach the server. */
export class StreamNegotiationError extends StreamError {}
