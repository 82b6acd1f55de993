/**
 * The wheel reader's bound: only METADATA is inflated, and one whose declared size passes the
 * bound (a zip bomb, a huge long description) is refused before it is inflated.
 */
import { expect } from "chai";
import { strToU8, zipSync } from "fflate";
import { MAX_CORE_METADATA_BYTES } from "../../publishing/coreMetadata";
import { parseWheelFilename, readWheelMetadata } from "../../publishing/wheel";

const WHEEL = parseWheelFilename("foo-1.0-py3-none-any.whl");
const HEADER = "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n\n";

function wheelWithMetadata(metadata: string, others: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({ "foo-1.0.dist-info/METADATA": strToU8(metadata), ...others }, { level: 9 });
}

describe("publishing: wheel reading bounds", () => {
  it("reads a METADATA of exactly the bound", () => {
    const bytes = wheelWithMetadata(HEADER);
    const { metadata, metadataBytes } = readWheelMetadata(WHEEL, bytes, HEADER.length);
    expect(metadata.name).to.equal("foo");
    expect(metadataBytes.length).to.equal(HEADER.length);
  });

  it("refuses a METADATA one byte past the bound, naming its size and the bound", () => {
    const bytes = wheelWithMetadata(HEADER + "x");
    expect(() => readWheelMetadata(WHEEL, bytes, HEADER.length)).to.throw(
      `"foo-1.0-py3-none-any.whl" has a METADATA of ${HEADER.length + 1} bytes, more than ${HEADER.length}`,
    );
  });

  it(`refuses a compressed METADATA bomb (64 MiB in a few KB) by the default bound of ${MAX_CORE_METADATA_BYTES} bytes`, () => {
    const bytes = wheelWithMetadata(HEADER + " ".repeat(64 * 1024 ** 2));
    expect(bytes.length).to.be.below(128 * 1024);
    expect(() => readWheelMetadata(WHEEL, bytes)).to.throw(`more than ${MAX_CORE_METADATA_BYTES}`);
  });

  it("never inflates other members, however large they claim to be", () => {
    const bytes = wheelWithMetadata(HEADER, { "foo/bomb.bin": new Uint8Array(64 * 1024 ** 2) });
    expect(readWheelMetadata(WHEEL, bytes).metadata.version).to.equal("1.0");
  });
});
