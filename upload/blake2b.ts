/**
 * BLAKE2b (RFC 7693), unkeyed, with a chosen digest length: the legacy upload API's
 * `blake2_256_digest` is BLAKE2b with a 32-byte digest, which Node's crypto cannot produce (its
 * `blake2b512` has a fixed length). 64-bit words are kept as pairs of 32-bit halves (low, high).
 */

const IV = new Uint32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a, 0xade682d1,
  0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const ROUNDS = 12;
const BLOCK_BYTES = 128;

/** v[a] += v[b] + (x0, x1), on the 64-bit word at uint32 index a (low half first). */
function add3(v: Uint32Array, a: number, b: number, x0: number, x1: number): void {
  const lo = v[a] + v[b] + x0;
  v[a + 1] = v[a + 1] + v[b + 1] + x1 + Math.floor(lo / 0x100000000);
  v[a] = lo;
}

function add2(v: Uint32Array, a: number, b: number): void {
  add3(v, a, b, 0, 0);
}

/** The mixing function G on words a, b, c, d (uint32 indices) with message words x, y. */
function mix(
  v: Uint32Array,
  m: Uint32Array,
  a: number,
  b: number,
  c: number,
  d: number,
  x: number,
  y: number,
) {
  add3(v, a, b, m[x], m[x + 1]);
  let lo = v[d] ^ v[a];
  let hi = v[d + 1] ^ v[a + 1];
  v[d] = hi; // rotate right 32
  v[d + 1] = lo;
  add2(v, c, d);
  lo = v[b] ^ v[c];
  hi = v[b + 1] ^ v[c + 1];
  v[b] = (lo >>> 24) | (hi << 8); // rotate right 24
  v[b + 1] = (hi >>> 24) | (lo << 8);
  add3(v, a, b, m[y], m[y + 1]);
  lo = v[d] ^ v[a];
  hi = v[d + 1] ^ v[a + 1];
  v[d] = (lo >>> 16) | (hi << 16); // rotate right 16
  v[d + 1] = (hi >>> 16) | (lo << 16);
  add2(v, c, d);
  lo = v[b] ^ v[c];
  hi = v[b + 1] ^ v[c + 1];
  v[b] = (hi >>> 31) | (lo << 1); // rotate right 63
  v[b + 1] = (lo >>> 31) | (hi << 1);
}

function compress(h: Uint32Array, block: Uint8Array, counter: number, last: boolean): void {
  const v = new Uint32Array(32);
  const m = new Uint32Array(32);
  v.set(h);
  v.set(IV, 16);
  v[24] ^= counter >>> 0;
  v[25] ^= Math.floor(counter / 0x100000000);
  if (last) {
    v[28] = ~v[28];
    v[29] = ~v[29];
  }
  const view = new DataView(block.buffer, block.byteOffset, BLOCK_BYTES);
  for (let i = 0; i < 32; i++) m[i] = view.getUint32(i * 4, true);
  for (let round = 0; round < ROUNDS; round++) {
    const s = SIGMA[round % 10];
    mix(v, m, 0, 8, 16, 24, s[0] * 2, s[1] * 2);
    mix(v, m, 2, 10, 18, 26, s[2] * 2, s[3] * 2);
    mix(v, m, 4, 12, 20, 28, s[4] * 2, s[5] * 2);
    mix(v, m, 6, 14, 22, 30, s[6] * 2, s[7] * 2);
    mix(v, m, 0, 10, 20, 30, s[8] * 2, s[9] * 2);
    mix(v, m, 2, 12, 22, 24, s[10] * 2, s[11] * 2);
    mix(v, m, 4, 14, 16, 26, s[12] * 2, s[13] * 2);
    mix(v, m, 6, 8, 18, 28, s[14] * 2, s[15] * 2);
  }
  for (let i = 0; i < 16; i++) h[i] ^= v[i] ^ v[i + 16];
}

/** The BLAKE2b digest of `data`, `outputBytes` long (1 to 64), as lowercase hex. */
export function blake2bHex(data: Uint8Array, outputBytes: number): string {
  if (!Number.isInteger(outputBytes) || outputBytes < 1 || outputBytes > 64) {
    throw new RangeError(`BLAKE2b digest length ${outputBytes} is not an integer from 1 to 64`);
  }
  const h = new Uint32Array(IV);
  h[0] ^= 0x01010000 ^ outputBytes;
  const padded = new Uint8Array(BLOCK_BYTES);
  let offset = 0;
  while (data.length - offset > BLOCK_BYTES) {
    compress(h, data.subarray(offset, offset + BLOCK_BYTES), offset + BLOCK_BYTES, false);
    offset += BLOCK_BYTES;
  }
  padded.set(data.subarray(offset));
  compress(h, padded, data.length, true);
  const out = Buffer.alloc(64);
  for (let i = 0; i < 16; i++) out.writeUInt32LE(h[i], i * 4);
  return out.subarray(0, outputBytes).toString("hex");
}
