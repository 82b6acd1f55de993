import { expect } from "chai";
import * as crypto from "crypto";
import { strFromU8, unzipSync, zipSync, strToU8 } from "fflate";
import { inspectDistribution, parseDistributionFilename } from "../../publishing/distribution";
import { parseSdistFilename } from "../../publishing/sdist";
import { canonicalVersion, compareVersions, isValidVersion, sameVersion } from "../../publishing/version";
import { parseWheelFilename } from "../../publishing/wheel";
import { buildWheel } from "../../publishing/wheelBuilder";
import { buildSdist, pkgInfo } from "../../fixtures/sdistBuilder";

describe("publishing: wheel file names (binary distribution format)", () => {
  const valid: [string, Record<string, unknown>][] = [
    [
      "distribution-1.0-1-py27-none-any.whl",
      { project: "distribution", version: "1.0", buildTag: "1", pythonTags: ["py27"] },
    ],
    ["distribution-1.0-py27-none-any.whl", { project: "distribution", buildTag: undefined }],
    [
      "six-1.16.0-py2.py3-none-any.whl",
      { pythonTags: ["py2", "py3"], abiTags: ["none"], platformTags: ["any"] },
    ],
    [
      "numpy-1.26.0-cp312-cp312-macosx_10_9_x86_64.macosx_11_0_arm64.whl",
      { project: "numpy", abiTags: ["cp312"], platformTags: ["macosx_10_9_x86_64", "macosx_11_0_arm64"] },
    ],
    ["cryptography-41.0.3-cp37-abi3-manylinux_2_28_x86_64.whl", { abiTags: ["abi3"] }],
    ["Foo.Bar-1.0-py3-none-any.whl", { name: "Foo.Bar", project: "foo-bar" }],
    ["foo_bar-2.0rc1-py3-none-any.whl", { project: "foo-bar", version: "2.0rc1" }],
    ["foo-1.0+local.1-py3-none-any.whl", { version: "1.0+local.1" }],
    ["foo-1!2.0-py3-none-any.whl", { version: "1!2.0" }],
    ["foo-1.0-12abc_3-py3-none-any.whl", { buildTag: "12abc_3" }],
  ];
  for (const [filename, expected] of valid) {
    it(`accepts ${filename}`, () => {
      const parsed = parseWheelFilename(filename);
      for (const [key, value] of Object.entries(expected))
        expect(parsed[key as keyof typeof parsed], key).to.deep.equal(value);
    });
  }

  const invalid: [string, RegExp][] = [
    ["foo-1.0-py3-none.whl", /4 dash-separated parts/],
    ["foo-1.0-1-2-py3-none-any.whl", /7 dash-separated parts/],
    ["foo-1.0-abc-py3-none-any.whl", /build tag "abc" must start with a digit/],
    ["foo-notaversion-py3-none-any.whl", /"notaversion" is not a PEP 440 version/],
    ["foo-1.0-py3-none-any.zip", /does not end in \.whl/],
    ["-1.0-py3-none-any.whl", /"" is not a valid distribution name/],
    ["foo$-1.0-py3-none-any.whl", /"foo\$" is not a valid distribution name/],
    ["_foo-1.0-py3-none-any.whl", /not a valid distribution name/],
    ["foo-1.0-py3..py2-none-any.whl", /"py3\.\.py2" is not a valid compatibility tag set/],
    ["foo-1.0-py3-none-.whl", /"" is not a valid compatibility tag set/],
  ];
  for (const [filename, message] of invalid) {
    it(`refuses ${filename}`, () => {
      expect(() => parseWheelFilename(filename)).to.throw(message);
      expect(() => parseWheelFilename(filename)).to.throw(/binary-distribution-format/);
    });
  }
});

describe("publishing: sdist file names (PEP 625)", () => {
  const valid: [string, string, string][] = [
    ["foo-1.0.tar.gz", "foo", "1.0"],
    ["foo_bar-2.0.post1.tar.gz", "foo-bar", "2.0.post1"],
    ["Foo.Bar-1.0.tar.gz", "foo-bar", "1.0"],
    ["foo-1.0rc1+build.7.tar.gz", "foo", "1.0rc1+build.7"],
  ];
  for (const [filename, project, version] of valid) {
    it(`accepts ${filename}`, () => {
      expect(parseSdistFilename(filename)).to.include({ project, version });
    });
  }
  const invalid: [string, RegExp][] = [
    ["foo-bar-1.0.tar.gz", /3 dash-separated parts, not 2.*underscores/],
    ["foo.tar.gz", /1 dash-separated parts/],
    ["foo-x.y.tar.gz", /"x\.y" is not a PEP 440 version/],
    ["foo-1.0.tar.bz2", /does not end in \.tar\.gz/],
  ];
  for (const [filename, message] of invalid) {
    it(`refuses ${filename}`, () => expect(() => parseSdistFilename(filename)).to.throw(message));
  }
  it("names what is supported for any other file", () => {
    expect(() => parseDistributionFilename("foo-1.0.zip")).to.throw(
      'unsupported file "foo-1.0.zip": publish wheels (.whl) or sdists (.tar.gz)',
    );
  });
});

describe("publishing: PEP 440 versions", () => {
  const canonical: [string, string][] = [
    ["1.0-RC1", "1.0rc1"],
    ["v1.0", "1.0"],
    ["1.0-1", "1.0.post1"],
    ["1.0.post", "1.0.post0"],
    ["1.0.DEV", "1.0.dev0"],
    ["1.0alpha2", "1.0a2"],
    ["1.0-preview-3", "1.0rc3"],
    ["1!2.0", "1!2.0"],
    ["0!1.0", "1.0"],
    ["1.0+Local-X_y", "1.0+local.x.y"],
    ["01.002", "1.2"],
  ];
  for (const [input, output] of canonical) {
    it(`canonicalizes ${input} to ${output}`, () => expect(canonicalVersion(input)).to.equal(output));
  }
  it("rejects what is not a version", () => {
    for (const bad of ["", "1.0-", "a.b", "1..0", "1.0+", "1.0 beta"])
      expect(isValidVersion(bad), bad).to.equal(false);
  });
  it("orders versions as PEP 440 does", () => {
    const ordered = [
      "0.9",
      "1.0.dev0",
      "1.0a1.dev1",
      "1.0a1",
      "1.0b1",
      "1.0rc1",
      "1.0",
      "1.0+local",
      "1.0.post1.dev0",
      "1.0.post1",
      "1.1",
      "1!0.1",
    ];
    const shuffled = [...ordered].reverse();
    expect(shuffled.sort(compareVersions)).to.deep.equal(ordered);
    expect(compareVersions("1.0", "1.0.0")).to.equal(0);
  });
  const localOrder: [string, "<" | "=" | ">", string][] = [
    ["1.0+9", "<", "1.0+10"],
    ["1.0+abc", "<", "1.0+1"],
    ["1.0+01", "=", "1.0+1"],
    ["1.0+a.b", "=", "1.0+a-b"],
    ["1.0+a_b", "=", "1.0+A.B"],
    ["1.0+abc", "<", "1.0+abd"],
    ["1.0+ABC", "=", "1.0+abc"],
    ["1.0+a", "<", "1.0+a.1"],
    ["1.0+1", "<", "1.0+1.0"],
    ["1.0+ubuntu.2", "<", "1.0+ubuntu.10"],
    ["1.0+z", "<", "1.0+0"],
    ["1.0", "<", "1.0+0"],
    ["1.0+999", "<", "1.0.post0"],
  ];
  for (const [a, relation, b] of localOrder) {
    it(`orders local versions: ${a} ${relation} ${b}`, () => {
      const sign = { "<": -1, "=": 0, ">": 1 }[relation];
      expect(Math.sign(compareVersions(a, b))).to.equal(sign);
      expect(Math.sign(compareVersions(b, a))).to.equal(-sign || 0);
      expect(sameVersion(a, b)).to.equal(relation === "=");
    });
  }
});

describe("publishing: buildWheel and reading distributions", () => {
  it("builds a wheel whose RECORD lists every file with its sha256 and size", () => {
    const wheel = buildWheel({ name: "Demo.Pkg", version: "1.0", requiresPython: ">=3.8", summary: "demo" });
    expect(wheel.filename).to.equal("demo_pkg-1.0-py3-none-any.whl");
    const files = unzipSync(wheel.bytes);
    const record = strFromU8(files["demo_pkg-1.0.dist-info/RECORD"]).trim().split("\n");
    expect(record).to.have.length(Object.keys(files).length);
    for (const line of record) {
      const [path, hash, size] = line.split(",");
      if (path.endsWith("RECORD")) {
        expect([hash, size]).to.deep.equal(["", ""]);
        continue;
      }
      const digest = crypto.createHash("sha256").update(files[path]).digest("base64url");
      expect(hash).to.equal(`sha256=${digest}`);
      expect(Number(size)).to.equal(files[path].length);
    }
    expect(strFromU8(files["demo_pkg-1.0.dist-info/WHEEL"])).to.include(
      "Root-Is-Purelib: true\nTag: py3-none-any\n",
    );
    expect(strFromU8(files["demo_pkg/__init__.py"])).to.equal('__version__ = "1.0"\n');
  });

  it("is reproducible byte for byte", () => {
    expect(buildWheel({ name: "a", version: "1" }).bytes).to.deep.equal(
      buildWheel({ name: "a", version: "1" }).bytes,
    );
  });

  it("inspects a wheel: project, version, Requires-Python, METADATA bytes, sha256, size", () => {
    const wheel = buildWheel({ name: "Demo.Pkg", version: "1.0", requiresPython: ">=3.8" });
    const dist = inspectDistribution(wheel.filename, wheel.bytes);
    expect(dist).to.include({
      kind: "wheel",
      project: "demo-pkg",
      version: "1.0",
      requiresPython: ">=3.8",
      size: wheel.bytes.length,
    });
    expect(dist.sha256).to.equal(crypto.createHash("sha256").update(wheel.bytes).digest("hex"));
    expect(strFromU8(dist.coreMetadata!)).to.match(
      /^Metadata-Version: 2\.1\nName: Demo\.Pkg\nVersion: 1\.0\n/,
    );
  });

  it("accepts METADATA whose version is another spelling of the file name's", () => {
    const wheel = buildWheel({ name: "a", version: "1.0" });
    const renamed = "a-1.0.0-py3-none-any.whl";
    expect(inspectDistribution(renamed, wheel.bytes).version).to.equal("1.0.0");
  });

  const wheelWith = (metadata: string | undefined) =>
    zipSync({
      "a/__init__.py": strToU8(""),
      ...(metadata !== undefined ? { "a-1.0.dist-info/METADATA": strToU8(metadata) } : {}),
    });
  const bad: [string, Uint8Array, RegExp][] = [
    [
      "a corrupt zip",
      Buffer.from("PK\u0003\u0004 this is not a zip"),
      /"a-1\.0-py3-none-any\.whl" is not a readable zip archive .*rebuild the wheel/,
    ],
    [
      "a zip without METADATA",
      wheelWith(undefined),
      /exactly one top-level \*\.dist-info\/METADATA, found 0/,
    ],
    [
      "METADATA naming another project",
      wheelWith("Metadata-Version: 2.1\nName: b\nVersion: 1.0\n"),
      /names project "b" but the file name says "a"/,
    ],
    [
      "METADATA with another version",
      wheelWith("Metadata-Version: 2.1\nName: a\nVersion: 2.0\n"),
      /says version "2\.0" but the file name says "1\.0"/,
    ],
    [
      "METADATA without a version",
      wheelWith("Metadata-Version: 2.1\nName: a\n"),
      /lacks the required field\(s\) version/,
    ],
  ];
  for (const [what, bytes, message] of bad) {
    it(`refuses ${what}`, () =>
      expect(() => inspectDistribution("a-1.0-py3-none-any.whl", bytes)).to.throw(message));
  }

  it("reads PKG-INFO from an sdist written by Python's tarfile (pax, long paths)", () => {
    const bytes = buildSdist({
      root: "foo_bar-2.0",
      pkgInfo: pkgInfo("foo-bar", "2.0", "<4,>=3.9"),
      files: { [`src/${"deep/".repeat(30)}module.py`]: "x = 1\n" },
    });
    const dist = inspectDistribution("foo_bar-2.0.tar.gz", bytes);
    expect(dist).to.include({
      kind: "sdist",
      project: "foo-bar",
      version: "2.0",
      requiresPython: "<4,>=3.9",
    });
    expect(dist.coreMetadata).to.equal(undefined);
  });

  it("refuses an sdist without PKG-INFO, a corrupt one, and one naming another project", () => {
    expect(() =>
      inspectDistribution("foo-1.0.tar.gz", buildSdist({ root: "foo-1.0", files: { "setup.py": "" } })),
    ).to.throw(/has no top-level \{name\}-\{version\}\/PKG-INFO/);
    expect(() => inspectDistribution("foo-1.0.tar.gz", Buffer.from("not gzip"))).to.throw(
      /not a readable gzipped tar archive/,
    );
    const other = buildSdist({ root: "foo-1.0", pkgInfo: pkgInfo("bar", "1.0") });
    expect(() => inspectDistribution("foo-1.0.tar.gz", other)).to.throw(
      /names project "bar" but the file name says "foo"/,
    );
  });
});
