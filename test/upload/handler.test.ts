/**
 * The upload handler against S3 on moto: what each upload answers, and that a refused upload
 * writes nothing (every key and ETag of the bucket compared before and after).
 */
import { expect } from "chai";
import { S3Client } from "@aws-sdk/client-s3";
import { strToU8, zipSync } from "fflate";
import { CredentialRecord } from "../../domain/credentialRecords";
import { UPLOAD_BODY_LIMIT_BYTES } from "../../domain/upload";
import { indexLocation } from "../../publishing/indexLocation";
import { CONFLICT, IndexStore } from "../../publishing/indexStore";
import { readProject } from "../../publishing/pageWriter";
import { buildWheel } from "../../publishing/wheelBuilder";
import { removeVersion, setProjectStatus } from "../../publishing/yankAndRemove";
import { UploadHandlerConfig, createUploadHandler } from "../../upload/handler";
import { UploadRequest } from "../../upload/http";
import { MotoIndex, snapshot, startMotoIndex } from "../../fixtures/motoIndex";
import { NOW_SECONDS, TestKey, makeKey } from "../../fixtures/edgeKeys";
import { basicAuthorization } from "../../fixtures/cloudfrontEvents";
import { buildSdist, pkgInfo } from "../../fixtures/sdistBuilder";
import { FormPart, twineParts, uploadRequest } from "../../fixtures/uploadForms";

const CONFIG: UploadHandlerConfig = { realm: "upload test", bodyLimitBytes: UPLOAD_BODY_LIMIT_BYTES };

const keys = {
  publisher: makeKey({ scope: "publish" }),
  reader: makeKey(),
  fooOnly: makeKey({ scope: "publish", projects: ["foo"] }),
  branchOnly: makeKey({ scope: "publish", channels: ["feature-x"] }),
  revoked: makeKey({ scope: "publish", revokedAt: NOW_SECONDS - 60 }),
  otherTenant: makeKey({ scope: "publish", tenant: "globex" }),
};
/** The publisher's public key with another key's secret. */
const wrongSecret = basicAuthorization(keys.publisher.publicKey, makeKey().secretKey);

function handlerFor(store: IndexStore, config: UploadHandlerConfig = CONFIG) {
  const records = new Map<string, CredentialRecord>(Object.values(keys).map((k) => [k.publicKey, k.record]));
  const logs: string[] = [];
  const handle = createUploadHandler(config, {
    store,
    lookup: async (publicKey) => records.get(publicKey) ?? null,
    now: () => NOW_SECONDS * 1000,
    log: (line) => logs.push(line),
  });
  return { handle, logs };
}

const wheel = buildWheel({ name: "foo", version: "1.0" });
const replace = (parts: FormPart[], name: string, value: string | Uint8Array | undefined): FormPart[] =>
  value === undefined
    ? parts.filter((p) => p.name !== name)
    : parts.map((p) => (p.name === name ? { ...p, value } : p));

function uploadOf(parts: FormPart[], key: TestKey = keys.publisher, overrides: Partial<UploadRequest> = {}) {
  return uploadRequest(parts, key.authorization, overrides);
}

describe("upload handler: config", () => {
  const store = new IndexStore(new S3Client({ region: "us-east-1" }), "unused");
  const cases: [string, Partial<UploadHandlerConfig>, string][] = [
    [
      "a realm with a quote",
      { realm: 'a"b' },
      'realm "a\\"b" must be 1-64 letters, digits, spaces, dots, dashes or underscores',
    ],
    [
      "a zero body limit",
      { bodyLimitBytes: 0 },
      `bodyLimitBytes 0 must be an integer from 1 to ${UPLOAD_BODY_LIMIT_BYTES}`,
    ],
    [
      "a limit past the edge's",
      { bodyLimitBytes: UPLOAD_BODY_LIMIT_BYTES + 1 },
      `bodyLimitBytes ${UPLOAD_BODY_LIMIT_BYTES + 1} must be`,
    ],
    ["a fractional limit", { bodyLimitBytes: 1.5 }, "bodyLimitBytes 1.5 must be an integer"],
  ];
  for (const [what, override, message] of cases) {
    it(`refuses ${what} before serving anything`, () => {
      expect(() =>
        createUploadHandler(
          { ...CONFIG, ...override },
          { store, lookup: async () => null, now: Date.now, log: () => undefined },
        ),
      ).to.throw(message);
    });
  }
});

describe("upload handler against S3 @integration", () => {
  let fixture: MotoIndex;
  before(async () => {
    fixture = await startMotoIndex();
  });
  after(async () => fixture?.stop());

  it("publishes a twine upload of a wheel into the key's tenant: 200, the file, its .metadata, the page", async () => {
    const store = await fixture.newStore();
    const { handle, logs } = handlerFor(store);
    const response = await handle(uploadOf(twineParts(wheel)));
    expect(response).to.deep.equal({
      status: 200,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      body: "published foo-1.0-py3-none-any.whl\n",
    });
    expect(Object.keys(await snapshot(store)).sort()).to.deep.equal([
      "acme/main/files/foo/foo-1.0-py3-none-any.whl",
      "acme/main/files/foo/foo-1.0-py3-none-any.whl.metadata",
      "acme/main/simple/foo/index.html",
      "acme/main/simple/foo/index.json",
      "acme/main/simple/index.html",
      "acme/main/simple/index.json",
    ]);
    expect(logs.map((l) => JSON.parse(l))).to.deep.equal([
      { event: "uploaded", status: "published", tenant: "acme", filename: "foo-1.0-py3-none-any.whl" },
    ]);
  });

  it("publishes an sdist, and another tenant's key publishes into its own tenant", async () => {
    const store = await fixture.newStore();
    const { handle } = handlerFor(store);
    const sdist = {
      filename: "foo-1.0.tar.gz",
      bytes: buildSdist({ root: "foo-1.0", pkgInfo: pkgInfo("foo", "1.0") }),
    };
    expect((await handle(uploadOf(twineParts(sdist)))).status).to.equal(200);
    expect((await handle(uploadOf(twineParts(wheel), keys.otherTenant))).status).to.equal(200);
    expect(
      (await readProject(store, indexLocation("acme"), "foo"))!.files.map((f) => f.filename),
    ).to.deep.equal(["foo-1.0.tar.gz"]);
    expect(
      (await readProject(store, indexLocation("globex"), "foo"))!.files.map((f) => f.filename),
    ).to.deep.equal(["foo-1.0-py3-none-any.whl"]);
  });

  it("answers the same bytes again with 200 and writes nothing; other bytes under the name with 409", async () => {
    const store = await fixture.newStore();
    const { handle } = handlerFor(store);
    expect((await handle(uploadOf(twineParts(wheel)))).status).to.equal(200);
    const before = await snapshot(store);
    const again = await handle(uploadOf(twineParts(wheel)));
    expect(again.status).to.equal(200);
    expect(again.body).to.equal(
      "foo-1.0-py3-none-any.whl was already published with these contents; nothing changed\n",
    );
    const other = buildWheel({ name: "foo", version: "1.0", summary: "other bytes" });
    expect(other.filename).to.equal(wheel.filename);
    const conflict = await handle(uploadOf(twineParts(other)));
    expect(conflict.status).to.equal(409);
    expect(conflict.body).to.match(
      /^foo-1\.0-py3-none-any\.whl already exists in acme\/main with different contents/,
    );
    expect(await snapshot(store)).to.deep.equal(before);
  });

  it("refuses a file name that was published and removed with 400, writing nothing", async () => {
    const store = await fixture.newStore();
    const { handle } = handlerFor(store);
    expect((await handle(uploadOf(twineParts(wheel)))).status).to.equal(200);
    await removeVersion(store, indexLocation("acme"), { project: "foo", version: "1.0" }, true);
    const before = await snapshot(store);
    const response = await handle(uploadOf(twineParts(wheel)));
    expect(response.status).to.equal(400);
    expect(response.body).to.include(
      "was published and removed in acme/main; a file name can never be reused",
    );
    expect(await snapshot(store)).to.deep.equal(before);
  });

  it("in an archived project answers the same bytes again with 200, a new file with 400, other bytes with 409, writing nothing", async () => {
    const store = await fixture.newStore();
    const { handle } = handlerFor(store);
    expect((await handle(uploadOf(twineParts(wheel)))).status).to.equal(200);
    await setProjectStatus(store, indexLocation("acme"), "foo", "archived", "frozen");
    const before = await snapshot(store);
    const cases: [string, { filename: string; bytes: Uint8Array }, number, string][] = [
      [
        "the same bytes",
        wheel,
        200,
        "foo-1.0-py3-none-any.whl was already published with these contents; nothing changed\n",
      ],
      [
        "a new file",
        buildWheel({ name: "foo", version: "2.0" }),
        400,
        "foo is archived (frozen) in acme/main, and an archived project accepts no new files (PEP 792); " +
          "`status set --tenant acme foo active` reopens it\n",
      ],
      [
        "other bytes under the name",
        buildWheel({ name: "foo", version: "1.0", summary: "other bytes" }),
        409,
        "foo-1.0-py3-none-any.whl already exists in acme/main with different contents",
      ],
    ];
    for (const [what, file, status, body] of cases) {
      const response = await handle(uploadOf(twineParts(file)));
      expect({ status: response.status, body: response.body.slice(0, body.length) }, what).to.deep.equal({
        status,
        body,
      });
    }
    expect(await snapshot(store)).to.deep.equal(before);
  });

  it("takes twine's safe name and any spelling of the version that PEP 440 equates", async () => {
    const store = await fixture.newStore();
    const { handle } = handlerFor(store);
    const dotted = buildWheel({ name: "Foo.Bar_baz", version: "1.0rc1" });
    const parts = replace(replace(twineParts(dotted), "name", "Foo.Bar-baz"), "version", "1.0-RC1");
    expect((await handle(uploadOf(parts))).status).to.equal(200);
  });

  it("answers 500 with a plain message, and logs the error class only, when the bucket fails", async () => {
    const { handle, logs } = handlerFor(new IndexStore(fixture.s3, "ppi-test-no-such-bucket"));
    const response = await handle(uploadOf(twineParts(wheel)));
    expect([response.status, response.body]).to.deep.equal([
      500,
      "the upload failed on the server; try again\n",
    ]);
    expect(logs.map((l) => JSON.parse(l))).to.deep.equal([
      { event: "denied", status: 500, reason: "internal-error", detail: "NoSuchBucket" },
    ]);
  });

  it("answers 503, writing nothing, when the credentials cannot be looked up", async () => {
    const store = await fixture.newStore();
    const handle = createUploadHandler(CONFIG, {
      store,
      lookup: async () => {
        throw Object.assign(new Error("down"), { name: "TimeoutError" });
      },
      now: () => NOW_SECONDS * 1000,
      log: () => undefined,
    });
    const response = await handle(uploadOf(twineParts(wheel)));
    expect(response.status).to.equal(503);
    expect(await snapshot(store)).to.deep.equal({});
  });

  it("answers 503 when the page write loses every compare-and-swap: the file is stored, not listed, and the same upload again lists it", async () => {
    const store = await fixture.newStore();
    const { handle } = handlerFor(store);
    expect((await handle(uploadOf(twineParts(wheel)))).status).to.equal(200);
    const next = buildWheel({ name: "foo", version: "1.1" });
    const put = store.put.bind(store);
    let contended = true;
    // Every write of foo's pages loses to a (pretend) concurrent writer.
    store.put = async (key, body, options, ifMatch) =>
      contended && key.startsWith("acme/main/simple/foo/") ? CONFLICT : put(key, body, options, ifMatch);
    const random = Math.random;
    Math.random = () => 0; // no backoff between the attempts
    let response;
    try {
      response = await handle(uploadOf(twineParts(next)));
    } finally {
      Math.random = random;
    }
    expect(response.status).to.equal(503);
    const listed = async () =>
      (await readProject(store, indexLocation("acme"), "foo"))!.files.map((f) => f.filename);
    expect(await listed()).to.deep.equal([wheel.filename]);
    expect(await store.head(`acme/main/files/foo/${next.filename}`)).to.not.equal(undefined);
    expect(await store.head(`acme/main/files/foo/${next.filename}.metadata`)).to.not.equal(undefined);
    contended = false;
    const again = await handle(uploadOf(twineParts(next)));
    expect([again.status, again.body]).to.deep.equal([
      200,
      `${next.filename} was already published with these contents; nothing changed\n`,
    ]);
    expect(await listed()).to.deep.equal([wheel.filename, next.filename]);
  });

  const notAZip = { filename: "foo-1.0-py3-none-any.whl", bytes: strToU8("not a zip") };
  const bomb = {
    filename: "foo-1.0-py3-none-any.whl",
    bytes: zipSync(
      {
        "foo-1.0.dist-info/METADATA": strToU8(
          `Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n\n${" ".repeat(8 * 1024 ** 2)}`,
        ),
      },
      { level: 9 },
    ),
  };
  const misnamed = buildWheel({ name: "bar", version: "1.0" });
  const parts = twineParts(wheel);
  const content = (filename: string, bytes: Uint8Array = wheel.bytes): FormPart => ({
    name: "content",
    value: bytes,
    filename,
  });
  const sha256 = parts.find((p) => p.name === "sha256_digest")!.value as string;
  const badForm = (what: string, formParts: FormPart[], body: string | RegExp) => ({
    what,
    request: uploadOf(formParts),
    status: 400,
    body,
  });
  const hostile: {
    what: string;
    request: UploadRequest;
    status: number;
    body: string | RegExp;
    headers?: Record<string, string>;
  }[] = [
    {
      what: "a GET",
      request: uploadOf(parts, keys.publisher, { method: "GET" }),
      status: 405,
      body: "/legacy/ takes uploads (POST) only",
      headers: { allow: "POST" },
    },
    {
      what: "another path",
      request: uploadOf(parts, keys.publisher, { path: "/simple/" }),
      status: 404,
      body: "the upload URL ends in /legacy/",
    },
    {
      what: "no credentials",
      request: uploadRequest(parts, undefined),
      status: 401,
      body: "missing or invalid credentials",
      headers: { "www-authenticate": 'Basic realm="upload test", charset="UTF-8"' },
    },
    {
      what: "a wrong secret",
      request: uploadRequest(parts, wrongSecret),
      status: 401,
      body: "missing or invalid credentials",
    },
    {
      what: "two Authorization headers, joined by the function URL",
      request: uploadRequest(parts, `${keys.publisher.authorization}, ${keys.publisher.authorization}`),
      status: 401,
      body: "missing or invalid credentials",
    },
    {
      what: "a revoked key",
      request: uploadOf(parts, keys.revoked),
      status: 401,
      body: "missing or invalid credentials",
    },
    {
      what: "a read key",
      request: uploadOf(parts, keys.reader),
      status: 403,
      body: "this key may read but not publish",
    },
    {
      what: "a key for a branch channel only",
      request: uploadOf(parts, keys.branchOnly),
      status: 403,
      body: "may not publish to the main channel",
    },
    {
      what: "a key restricted to another project",
      request: uploadOf(twineParts(misnamed), keys.fooOnly),
      status: 403,
      body: "this key may not publish the project bar",
    },
    {
      what: "a body past the limit",
      request: uploadOf(parts, keys.publisher, { body: new Uint8Array(UPLOAD_BODY_LIMIT_BYTES + 1) }),
      status: 413,
      body: `the upload is larger than this endpoint's limit of ${UPLOAD_BODY_LIMIT_BYTES} bytes; publish larger files with the operator CLI: ppi publish`,
    },
    {
      what: "malformed multipart",
      request: uploadOf(parts, keys.publisher, {
        headers: {
          "content-type": "multipart/form-data; boundary=nope",
          "x-ppi-authorization": keys.publisher.authorization,
        },
      }),
      status: 400,
      body: "its boundary never appears",
    },
    badForm(
      "duplicated content parts",
      [...parts, content(wheel.filename)],
      "content: is given 2 times; upload one file per request",
    ),
    badForm(
      "content as a text field",
      [...replace(parts, "content", undefined), { name: "content", value: "x" }],
      "content: must be a file part with a filename",
    ),
    ...["content", "name", "version", "filetype", ":action", "protocol_version"].map((field) => ({
      what: `no ${field}`,
      request: uploadOf(replace(parts, field, undefined)),
      status: 400,
      body: `${field}: is missing`,
    })),
    badForm(
      ":action=doc_upload",
      replace(parts, ":action", "doc_upload"),
      ':action: is "doc_upload"; this endpoint accepts only "file_upload"',
    ),
    badForm("protocol_version 2", replace(parts, "protocol_version", "2"), 'protocol_version: is "2"'),
    badForm("a name given twice", [...parts, { name: "name", value: "foo" }], "name: is given 2 times"),
    badForm(
      "a path in the file name",
      [...replace(parts, "content", undefined), content(`../${wheel.filename}`)],
      "must be a bare file name, not a path",
    ),
    badForm(
      "a backslash in the file name (refused in the part header)",
      [...replace(parts, "content", undefined), content(`x\\${wheel.filename}`)],
      "needs a Content-Disposition: form-data header with a name",
    ),
    badForm(
      "a percent-encoded name",
      [...replace(parts, "content", undefined), content("foo-1.0-py3-none-any%2Ewhl")],
      "has characters a wheel or sdist name never has",
    ),
    badForm(
      "a name the edge would not serve (256 characters)",
      [...replace(parts, "content", undefined), content(`foo-1.0-py3-none-any${"x".repeat(232)}.whl`)],
      "has characters a wheel or sdist name never has (letters, digits and ._+!- only, starting with a letter or digit, at most 255)",
    ),
    badForm(
      "a name starting with a dash",
      [...replace(parts, "content", undefined), content(`-${wheel.filename}`)],
      "has characters a wheel or sdist name never has",
    ),
    badForm(
      "a file for another project",
      [...replace(parts, "content", undefined), content(misnamed.filename, misnamed.bytes)],
      'name: "foo" is not the project of bar-1.0-py3-none-any.whl (bar)',
    ),
    badForm(
      "another version in the form",
      replace(parts, "version", "2.0"),
      'version: "2.0" is not the version of foo-1.0-py3-none-any.whl (1.0)',
    ),
    badForm(
      "an sdist's filetype for a wheel",
      replace(parts, "filetype", "sdist"),
      'filetype: is "sdist" but foo-1.0-py3-none-any.whl is a wheel (bdist_wheel)',
    ),
    badForm(
      "a wrong sha256",
      replace(parts, "sha256_digest", "0".repeat(64)),
      `sha256_digest: ${"0".repeat(64)} does not match the uploaded file (${sha256})`,
    ),
    badForm(
      "a wrong blake2_256",
      replace(parts, "blake2_256_digest", "f".repeat(64)),
      "blake2_256_digest: ffff",
    ),
    badForm(
      "a wrong md5 beside right digests",
      [...parts, { name: "md5_digest", value: "0".repeat(32) }],
      "md5_digest: 0000",
    ),
    badForm(
      "a digest that is not hex",
      replace(parts, "sha256_digest", "z".repeat(64)),
      "sha256_digest: must be 64 hexadecimal digits",
    ),
    badForm(
      "md5 alone",
      [
        ...replace(replace(parts, "sha256_digest", undefined), "blake2_256_digest", undefined),
        { name: "md5_digest", value: "8b1a9953c4611296a827abf8c47804d7" },
      ],
      /^(md5_digest: .* does not match|sha256_digest: is missing: give sha256_digest or blake2_256_digest)/,
    ),
    badForm(
      "no digest",
      replace(replace(parts, "sha256_digest", undefined), "blake2_256_digest", undefined),
      "sha256_digest: is missing: give sha256_digest or blake2_256_digest",
    ),
    badForm(
      "an oversize name field",
      replace(parts, "name", "f".repeat(257)),
      "name: is longer than 256 characters",
    ),
    badForm(
      "a field that is not UTF-8",
      [...parts, { name: "summary", value: Buffer.from([0xc3, 0x28]) }],
      'the form field "summary" is not UTF-8',
    ),
    badForm(
      "attestations",
      [...parts, { name: "attestations", value: '[{"version":1}]' }],
      "attestations: this index neither verifies nor serves attestations (PEP 740)",
    ),
    badForm(
      "a signature file part",
      [...parts, { name: "gpg_signature", value: "sig", filename: `${wheel.filename}.asc` }],
      "gpg_signature: is a file part; only content carries a file",
    ),
    badForm(
      "a wheel that is not a zip",
      twineParts(notAZip),
      '"foo-1.0-py3-none-any.whl" is not a readable zip archive',
    ),
    badForm(
      "a wheel whose METADATA is a bomb",
      twineParts(bomb),
      "has a METADATA of 8388654 bytes, more than 4194304",
    ),
    badForm(
      "an unsupported file type",
      [...replace(parts, "content", undefined), content("foo-1.0.zip")],
      'unsupported file "foo-1.0.zip"',
    ),
  ];
  for (const { what, request, status, body, headers } of hostile) {
    it(`answers ${what} with ${status} and writes nothing`, async () => {
      const store = await fixture.newStore();
      const { handle, logs } = handlerFor(store);
      // An existing project, so that "nothing written" covers pages too.
      expect(
        (await handle(uploadOf(twineParts(buildWheel({ name: "foo", version: "0.9" }))))).status,
      ).to.equal(200);
      const before = await snapshot(store);
      const response = await handle(request);
      expect(response.status, response.body).to.equal(status);
      if (typeof body === "string") expect(response.body).to.include(body);
      else expect(response.body).to.match(body);
      for (const [name, value] of Object.entries(headers ?? {}))
        expect(response.headers[name]).to.equal(value);
      expect(response.headers).to.not.have.property("location");
      expect(await snapshot(store)).to.deep.equal(before);
      expect(logs.join("\n")).to.not.include(keys.publisher.secretKey);
    });
  }
});
