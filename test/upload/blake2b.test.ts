import * as crypto from "crypto";
import { expect } from "chai";
import { blake2bHex } from "../../upload/blake2b";

describe("upload: BLAKE2b", () => {
  const vectors: [string, Uint8Array, number, string][] = [
    // Python: hashlib.blake2b(b"", digest_size=32).hexdigest()
    [
      "the empty input, 32 bytes",
      new Uint8Array(0),
      32,
      "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
    ],
    // Python: hashlib.blake2b(b"abc", digest_size=32).hexdigest()
    [
      "abc, 32 bytes",
      Buffer.from("abc"),
      32,
      "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
    ],
    // RFC 7693 appendix A
    [
      "abc, 64 bytes (RFC 7693)",
      Buffer.from("abc"),
      64,
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    ],
  ];
  for (const [what, data, length, hex] of vectors) {
    it(`digests ${what}`, () => expect(blake2bHex(data, length)).to.equal(hex));
  }

  for (const size of [1, 111, 112, 127, 128, 129, 255, 256, 257, 4096, 100_003]) {
    it(`agrees with OpenSSL's blake2b512 on ${size} random bytes (block edges)`, () => {
      const data = crypto.randomBytes(size);
      expect(blake2bHex(data, 64)).to.equal(crypto.createHash("blake2b512").update(data).digest("hex"));
    });
  }

  for (const length of [0, 65, 1.5]) {
    it(`refuses a digest length of ${length}`, () => {
      expect(() => blake2bHex(new Uint8Array(1), length)).to.throw(
        `BLAKE2b digest length ${length} is not an integer from 1 to 64`,
      );
    });
  }
});
