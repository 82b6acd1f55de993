/**
 * `names reserve|unreserve|list` against moto, and the edge's S3 reader reading what they wrote
 * (signed requests to a real S3 API, as the origin-response function makes them).
 */
import { expect } from "chai";
import { useCliOnMoto } from "./support/inProcess";
import { parseReservedNames } from "../../domain/reservedNames";
import { projectPageKey, reservedNamesKey } from "../../domain/storageLayout";
import { createS3ObjectReader } from "../../edge/s3Objects";
import { reserveNames } from "../../publishing/reservedNames";
import { claimProcessEnv } from "../../sandbox/processEnv";

describe("cli: names reserve|unreserve|list @integration", () => {
  const moto = useCliOnMoto();
  const cli = moto.cli;

  it("reserves normalized names and globs, lists them, and unreserves any spelling", async () => {
    expect((await cli(["names", "list", "--tenant", "acme"])).stdout).to.equal("no reserved names\n");
    const reserved = await cli(["names", "reserve", "--tenant", "acme", "Acme_*", "Secret.Tool", "acme-*"]);
    expect(reserved.code).to.equal(0);
    expect(reserved.stdout).to.equal(
      "Tenant acme reserves acme-*, secret-tool.\nEdges apply it within 30 s, plus the page cache time for a redirect already cached.\n",
    );
    expect(
      parseReservedNames((await moto.store.get(reservedNamesKey("acme")))!.body.toString()),
    ).to.deep.equal(["acme-*", "secret-tool"]);
    expect(JSON.parse((await cli(["names", "list", "--tenant", "acme", "--json"])).stdout)).to.deep.equal({
      tenant: "acme",
      reserved: ["acme-*", "secret-tool"],
    });
    await cli(["names", "unreserve", "--tenant", "acme", "SECRET_tool"]);
    expect((await cli(["names", "list", "--tenant", "acme"])).stdout).to.equal("acme-*\n");
    // Another tenant's list is its own.
    expect((await cli(["names", "list", "--tenant", "globex"])).stdout).to.equal("no reserved names\n");
  });

  it("refuses an invalid pattern and writes nothing", async () => {
    const before = await moto.store.get(reservedNamesKey("acme"));
    const result = await cli(["names", "reserve", "--tenant", "acme", "ok-name", "bad/name"]);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('invalid pattern "bad/name"');
    expect((await moto.store.get(reservedNamesKey("acme")))!.etag).to.equal(before!.etag);
  });

  it("loses no reservation when operators reserve at once", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    await Promise.all(names.map((name) => reserveNames(moto.store, "racers", [name])));
    expect(
      parseReservedNames((await moto.store.get(reservedNamesKey("racers")))!.body.toString()),
    ).to.deep.equal(names);
  });

  it("the edge's signed S3 reader reads the list, and tells a missing key from a stored one", async () => {
    const release = claimProcessEnv({ ...moto.fixture.moto.env, AWS_ENDPOINT_URL_S3: undefined });
    try {
      const reader = createS3ObjectReader(moto.store.bucket, "us-east-1");
      expect(parseReservedNames((await reader.read(reservedNamesKey("acme")))!)).to.deep.equal(["acme-*"]);
      expect(await reader.read(reservedNamesKey("nobody"))).to.equal(undefined);
      expect(await reader.exists(reservedNamesKey("acme"))).to.equal(true);
      expect(await reader.exists(projectPageKey("acme", "main", "acme", "html"))).to.equal(false);
    } finally {
      release();
    }
  });
});
