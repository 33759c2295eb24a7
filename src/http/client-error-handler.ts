import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { LabError } from '../errors.ts';
import { errorBody } from './error-response.ts';

/**
 * Answers a request Node's HTTP parser rejected (malformed request line or headers, a bad
 * Content-Length, headers too large, a request that never finished) with our JSON error body,
 * like every other API error; fastify's default handler sends its own shape without a code.
 * There is no request object here, only the socket, so the response is written raw.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Bytes after a complete request that asked for Connection: close (say, a body sent with a
  // GET without Content-Length): that request is answered as usual and the connection then
  // closes; a 400 on top would reach the client as a second, unasked-for response.
  if (error.code === 'HPE_CLOSED_CONNECTION') return;
  // Like Node's own handler: once a response on this socket has started (the parser fails on
  // bytes that follow a request already being answered), a second one would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } | null })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    // Node's headersTimeout and requestTimeout (set in api-server.ts) end up here too.
    const labError =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new LabError('LAB_ERR_REQUEST_TIMEOUT', 'the request was not received in time (headers within 5 s, the whole request within 10 s)')
        : new LabError('LAB_ERR_BAD_REQUEST', `the request could not be parsed (${error.code ?? error.message})`);
    const body = JSON.stringify(errorBody(labError));
    socket.write(
      `HTTP/1.1 ${labError.statusCode} ${STATUS_CODES[labError.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
