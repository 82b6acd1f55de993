import { expect } from "chai";
import { channelIndexUrl, clientConfiguration } from "../../cli/clientConfig";
import { parseDuration } from "../../publishing/customerKeys";
import { indexLocation } from "../../publishing/indexLocation";
import { createProgress } from "../../cli/progress";
import { requireBucket, requireTable, resolveTarget } from "../../cli/target";

const outputs = JSON.stringify({
  bucketName: "ppi-dev-index-abc",
  credentialsTableName: "ppi-dev-credentials",
  region: "eu-west-1",
  indexUrl: "https://packages.example.com/simple/",
  distributionId: "E123",
});
const readFile = (path: string) => {
  if (path === "outputs.json") return outputs;
  if (path === "bad.json") return "[1]";
  throw new Error(`ENOENT: no such file, open '${path}'`);
};

describe("cli: target resolution", () => {
  it("reads the environment", () => {
    const env = {
      PACKAGE_INDEX_BUCKET: "b",
      PACKAGE_INDEX_TABLE: "t",
      AWS_REGION: "eu-central-1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:5000",
    };
    expect(resolveTarget({}, env, readFile)).to.deep.equal({
      bucket: "b",
      table: "t",
      region: "eu-central-1",
      tableRegion: "us-east-1",
      endpoint: "http://127.0.0.1:5000",
    });
  });

  it("lets --stack-outputs override the environment and flags override both", () => {
    const env = {
      PACKAGE_INDEX_BUCKET: "env-bucket",
      AWS_REGION: "us-west-2",
      PACKAGE_INDEX_URL: "https://env/simple/",
    };
    expect(resolveTarget({ "stack-outputs": "outputs.json" }, env, readFile)).to.deep.equal({
      bucket: "ppi-dev-index-abc",
      table: "ppi-dev-credentials",
      region: "eu-west-1",
      tableRegion: "us-east-1",
      indexUrl: "https://packages.example.com/simple/",
    });
    const flags = {
      "stack-outputs": "outputs.json",
      bucket: "flag-bucket",
      region: "ap-south-1",
      "table-region": "eu-west-1",
    };
    expect(resolveTarget(flags, env, readFile)).to.include({
      bucket: "flag-bucket",
      region: "ap-south-1",
      tableRegion: "eu-west-1",
    });
  });

  it("explains a missing or malformed stack outputs file", () => {
    expect(() => resolveTarget({ "stack-outputs": "missing.json" }, {}, readFile)).to.throw(
      /cannot read --stack-outputs missing\.json .*pulumi stack output --json > missing\.json/,
    );
    expect(() => resolveTarget({ "stack-outputs": "bad.json" }, {}, readFile)).to.throw(
      /is not a JSON object/,
    );
  });

  it("says how to give a missing bucket, region or table", () => {
    expect(() => requireBucket(resolveTarget({}, {}, readFile))).to.throw(
      "no bucket given: pass --stack-outputs FILE (from `pulumi stack output --json`), or set it with a flag or environment variable (--bucket / PACKAGE_INDEX_BUCKET)",
    );
    expect(() => requireBucket(resolveTarget({ bucket: "b" }, {}, readFile))).to.throw(
      /no region given: .*--region \/ AWS_REGION/,
    );
    expect(() => requireTable(resolveTarget({}, {}, readFile))).to.throw(
      /no credentials table given: .*PACKAGE_INDEX_TABLE/,
    );
  });
});

describe("cli: locations, durations, client configuration, progress", () => {
  it("validates tenants and channels with the edge's rules", () => {
    expect(indexLocation("acme")).to.deep.equal({ tenant: "acme", channel: "main" });
    expect(indexLocation("acme", "feature-x")).to.deep.equal({ tenant: "acme", channel: "feature-x" });
    for (const bad of ["Acme", "a_b", "-a", "a/b", "../x", "a".repeat(64)]) {
      expect(() => indexLocation(bad), bad).to.throw(`invalid tenant "${bad}"`);
    }
    for (const bad of ["simple", "files", "Feature", "a/b"])
      expect(() => indexLocation("acme", bad), bad).to.throw(`invalid channel "${bad}"`);
  });

  it("parses --expires-in", () => {
    expect([parseDuration("90d"), parseDuration("12h"), parseDuration("30m")]).to.deep.equal([
      7_776_000, 43_200, 1_800,
    ]);
    for (const bad of ["0d", "90", "1w", "-1d", "1.5h", "d"]) {
      expect(() => parseDuration(bad), bad).to.throw(
        `invalid --expires-in "${bad}": use a whole number of days, hours or minutes`,
      );
    }
  });

  it("prints ready-to-paste pip, uv and poetry configuration", () => {
    const key = { publicKey: "ppi_abc", secretKey: "ppisk_s-e_c" };
    const text = clientConfiguration("https://packages.example.com/simple/", key);
    expect(text).to.include(
      "pip install --index-url https://ppi_abc:ppisk_s-e_c@packages.example.com/simple/ <package>",
    );
    expect(text).to.include("index-url = https://ppi_abc:ppisk_s-e_c@packages.example.com/simple/");
    expect(text).to.include(
      '[[tool.uv.index]]\n  name = "ppi"\n  url = "https://packages.example.com/simple/"',
    );
    expect(text).to.include(
      "export UV_INDEX_PPI_USERNAME=ppi_abc\n  export UV_INDEX_PPI_PASSWORD=ppisk_s-e_c",
    );
    expect(text).to.include(
      '[[tool.uv.index]]\n  name = "ppi"\n  url = "https://packages.example.com/simple/"\n  default = true\n',
    );
    expect(text).to.include("poetry source add --priority=primary ppi https://packages.example.com/simple/");
    expect(text).to.include("poetry config http-basic.ppi ppi_abc ppisk_s-e_c");
    // One URL only: no second index, no explicit pinning, no PyPI (the index falls through to it).
    expect(text).to.not.match(/extra-index-url|explicit|pypi\.org/);
    expect(text.match(/\[\[tool\.uv\.index\]\]/g)).to.have.length(1);
    // The one place a key may appear in a URL is the pip form; uv and poetry take it separately.
    expect(text.match(/ppisk_s-e_c@/g)).to.have.length(2);
    const scoped = clientConfiguration("https://packages.example.com/simple/", {
      ...key,
      channels: ["feature-x"],
    });
    expect(scoped).to.include("@packages.example.com/feature-x/simple/ <package>");
    expect(channelIndexUrl("http://127.0.0.1:8080/simple", "main")).to.equal("http://127.0.0.1:8080/simple/");
  });

  it("draws a bar on a terminal and plain lines in CI or a pipe", () => {
    const writes: string[] = [];
    const sink = (isTTY: boolean) => ({ isTTY, columns: 100, write: (t: string) => writes.push(t) });
    const tty = createProgress(sink(true), {});
    tty.update(1, 4, "a.whl");
    tty.finish();
    expect(writes).to.deep.equal([`\r\x1b[2K[######${" ".repeat(18)}] 1/4 a.whl`, "\n"]);
    writes.length = 0;
    createProgress(sink(true), { CI: "true" }).update(2, 4, "b.whl");
    createProgress(sink(false), {}).update(3, 4, "c.whl");
    expect(writes).to.deep.equal(["[2/4] b.whl\n", "[3/4] c.whl\n"]);
  });
});
