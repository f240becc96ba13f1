/**
 * gzip with a fixed header: no file name, mtime 0, OS byte 255 ("unknown"), so the compressed
 * bytes depend only on the input and the zlib level (RFC 1952 §2.3; the header is not covered by
 * the CRC, which is over the uncompressed data).
 */
import { gzipSync } from 'node:zlib';

/** Level used for layers: a size/time balance (9 saves ~2 % for ~2x the time on the node binary). */
export const LAYER_GZIP_LEVEL = 6;

export function deterministicGzip(data: Buffer, level = LAYER_GZIP_LEVEL): Buffer {
  const out = gzipSync(data, { level, memLevel: 8, windowBits: 15, strategy: 0 });
  if (out[0] !== 0x1f || out[1] !== 0x8b || out[3] !== 0) {
    throw new Error('deterministicGzip: unexpected gzip header flags from zlib (name/comment/extra set)');
  }
  out.writeUInt32LE(0, 4); // MTIME
  out[9] = 0xff; // OS: unknown
  return out;
}
