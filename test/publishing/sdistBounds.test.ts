/**
 * The sdist reader's bounds: an upload from anyone who may publish is scanned, never extracted,
 * and refused at the first bound it passes, with the bound in the message.
 */
import { spawnSync } from "child_process";
import * as zlib from "zlib";
import { expect } from "chai";
import {
  SDIST_READ_LIMITS,
  SdistReadLimits,
  parseSdistFilename,
  readSdistMetadata,
} from "../../publishing/sdist";
import { buildSdist, pkgInfo } from "../../fixtures/sdistBuilder";

const SDIST = parseSdistFilename("foo-1.0.tar.gz");
const PKG_INFO = pkgInfo("foo", "1.0");
const limits = (overrides: Partial<SdistReadLimits>): SdistReadLimits => ({
  ...SDIST_READ_LIMITS,
  ...overrides,
});

/** A gzipped tar holding only the header of one member that claims `size` bytes (no data follows). */
function headerOnlySdist(size: number): Buffer {
  const script = `
import sys, tarfile
info = tarfile.TarInfo("foo-1.0/huge.bin")
info.size = ${size}
sys.stdout.buffer.write(info.tobuf(format=tarfile.PAX_FORMAT))`;
  const result = spawnSync("python3", ["-c", script]);
  if (result.status !== 0) throw new Error(`python3 tarfile failed: ${result.stderr.toString()}`);
  return zlib.gzipSync(result.stdout);
}

describe("publishing: sdist reading bounds", () => {
  it("reads PKG-INFO when the archive is exactly at its member bound", () => {
    const bytes = buildSdist({ root: "foo-1.0", pkgInfo: PKG_INFO, files: { "a.py": "", "b.py": "" } });
    expect(readSdistMetadata(SDIST, bytes, limits({ maxMembers: 3 })).metadata.name).to.equal("foo");
  });

  const refusals: [string, () => Buffer, Partial<SdistReadLimits>, string][] = [
    [
      "a tar that is not gzipped",
      () => zlib.gunzipSync(buildSdist({ root: "foo-1.0", pkgInfo: PKG_INFO })),
      {},
      "it does not start with a gzip header",
    ],
    [
      "more members than the bound before PKG-INFO",
      () => buildSdist({ root: "foo-1.0", pkgInfo: PKG_INFO, files: { "a.py": "", "b.py": "", "c.py": "" } }),
      { maxMembers: 3 },
      "it has more than 3 members",
    ],
    [
      "more expanded bytes than the bound before PKG-INFO",
      () => buildSdist({ root: "foo-1.0", pkgInfo: PKG_INFO, files: { "big.txt": "x".repeat(10_000) } }),
      { maxUnpackedBytes: 8192 },
      "it expands to more than 8192 bytes",
    ],
    [
      "a PKG-INFO larger than its bound",
      () => buildSdist({ root: "foo-1.0", pkgInfo: PKG_INFO + "\n" + "description ".repeat(200) }),
      { maxPkgInfoBytes: 1024 },
      "its PKG-INFO is larger than 1024 bytes",
    ],
    [
      "an archive that inflates past the expansion ratio",
      () =>
        buildSdist({ root: "foo-1.0", pkgInfo: PKG_INFO, files: { "zeros.txt": "\0".repeat(1_000_000) } }),
      { maxExpansionRatio: 10 },
      "max decompression ratio exceeded: ",
    ],
    [
      "a member declaring 3 GiB, at its header, with the default bounds",
      () => headerOnlySdist(3 * 1024 ** 3),
      {},
      "it expands to more than 2147483648 bytes",
    ],
  ];
  for (const [what, build, overrides, reason] of refusals) {
    it(`refuses ${what}`, () => {
      const bytes = build();
      let message = "";
      try {
        readSdistMetadata(SDIST, bytes, limits(overrides));
      } catch (err) {
        message = (err as Error).message;
      }
      const prefix = `"foo-1.0.tar.gz" is not a readable gzipped tar archive (${reason}`;
      expect(message.startsWith(prefix), message).to.equal(true);
      expect(message.endsWith("); rebuild the sdist"), message).to.equal(true);
    });
  }
});
