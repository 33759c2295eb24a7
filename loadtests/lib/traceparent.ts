import { randomBytes } from 'k6/crypto';

function hex(byteCount: number): string {
  const bytes = new Uint8Array(randomBytes(byteCount));
  let text = '';
  let zero = true;
  for (const byte of bytes) {
    text += (byte < 16 ? '0' : '') + byte.toString(16);
    if (byte !== 0) zero = false;
  }
  // All-zero ids are invalid in W3C trace context; with 8+ random bytes this never repeats.
  return zero ? hex(byteCount) : text;
}

/**
 * A fresh W3C `traceparent` header value (version 00, random trace and parent ids, sampled).
 * Each k6 request then starts its own trace in the daemon, and the sampled flag asks a
 * parent-based sampler to keep it, so a slow k6 request can be looked up in Tempo.
 */
export function traceparent(): string {
  return `00-${hex(16)}-${hex(8)}-01`;
}
