/**
 * `check` against the sandbox (the real edge bundle in front of moto), and against servers that
 * get something wrong, to show each check can fail.
 */
import { expect } from "chai";
import * as crypto from "crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { JSON_CONTENT_TYPE, PAGE_CACHE_CONTROL } from "../../domain/storageLayout";
import { IndexStore } from "../../publishing/indexStore";
import { check } from "../../cli/check";
import { Sandbox, startSandbox } from "../../sandbox/index";
import { spawnCli } from "./support/spawnCli";

const runCheck = (args: string[]) => spawnCli(["check", ...args], {});

const CHECK_NAMES = [
  "no key is refused",
  "a wrong secret is refused",
  "root page (JSON)",
  "root page (HTML)",
  "an unknown project is 404",
  "project page ppi-demo-hello (JSON)",
  "project page ppi-demo-hello (HTML)",
  "download ppi_demo_hello-1.0.0-py3-none-any.whl",
];

describe("cli: check against the sandbox @integration", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({ port: 0, quiet: true });
  });
  after(async () => sandbox?.stop());

  it("passes every check on a healthy index, exit 0 with --json", async () => {
    const results = await check({ url: sandbox.url, key: `${sandbox.publicKey}:${sandbox.secretKey}` });
    expect(results.map((r) => [r.name, r.ok])).to.deep.equal(CHECK_NAMES.map((name) => [name, true]));
    const run = await runCheck([
      "--url",
      sandbox.url,
      "--key",
      `${sandbox.publicKey}:${sandbox.secretKey}`,
      "--json",
    ]);
    expect([run.code, run.stderr]).to.deep.equal([0, ""]);
    expect(JSON.parse(run.stdout).ok).to.equal(true);
  });

  it("fails with exit 1 and names the failing checks when the key is wrong", async () => {
    const run = await runCheck(["--url", sandbox.url, "--key", `${sandbox.publicKey}:ppisk_wrong`]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.include("FAIL  root page (JSON): HTTP 401, expected 200");
    expect(run.stderr).to.equal(
      "error: check failed: root page (JSON), root page (HTML), an unknown project is 404\n",
    );
  });

  it("fails when the page's hash does not match the file it links", async () => {
    // Files are immutable and cached like CloudFront would, so the page is what gets corrupted.
    const store = new IndexStore(
      new S3Client({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        forcePathStyle: true,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      }),
      sandbox.bucket,
    );
    const key = `${sandbox.demo.tenant}/main/simple/${sandbox.demo.project}/index.json`;
    const page = (await store.get(key))!;
    const json = JSON.parse(page.body.toString("utf8"));
    const realSha256 = json.files[0].hashes.sha256;
    json.files[0].hashes.sha256 = "0".repeat(64);
    await store.put(
      key,
      JSON.stringify(json),
      { contentType: JSON_CONTENT_TYPE, cacheControl: PAGE_CACHE_CONTROL, branch: false },
      page.etag,
    );
    store.s3.destroy();
    const results = await check({ url: sandbox.url, key: `${sandbox.publicKey}:${sandbox.secretKey}` });
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((r) => [r.name, r.detail])).to.deep.equal([
      [
        "project page ppi-demo-hello (HTML)",
        "no link to ppi_demo_hello-1.0.0-py3-none-any.whl with the JSON page's hash",
      ],
      [
        "download ppi_demo_hello-1.0.0-py3-none-any.whl",
        `sha256 ${realSha256}, the page says ${"0".repeat(64)}`,
      ],
    ]);
  });
});

describe("cli: check against a misbehaving server", () => {
  const respond = (status: number, contentType: string, body: string) =>
    new Response(body, { status, headers: { "content-type": contentType } });

  it("fails the 401 checks for an index that serves without a key, and a wrong content type", async () => {
    const open = (async () => respond(200, "text/plain", "{}")) as typeof fetch;
    const results = await check({ url: "https://index.example/simple/", key: "ppi_x:ppisk_y", fetch: open });
    expect(results.map((r) => [r.name, r.ok, r.detail])).to.deep.equal([
      ["no key is refused", false, "HTTP 200, expected 401"],
      ["a wrong secret is refused", false, "HTTP 200, expected 401"],
      ["root page (JSON)", false, "Content-Type text/plain, expected application/vnd.pypi.simple.v1+json"],
      ["root page (HTML)", false, "Content-Type text/plain, expected text/html"],
      ["an unknown project is 404", false, "HTTP 200, expected 404"],
    ]);
  });

  it("fails when an unknown project is not 404, and sends the key only to the index's own origin", async () => {
    const sha256 = crypto.createHash("sha256").update("wheel").digest("hex");
    const sent: [string, string | undefined][] = [];
    const index = (async (input: URL, init?: RequestInit) => {
      const url = input.toString();
      const authorization = (init?.headers as Record<string, string> | undefined)?.authorization;
      sent.push([url, authorization]);
      if (url.startsWith("https://cdn.example/")) return respond(200, "application/octet-stream", "wheel");
      if (authorization !== `Basic ${Buffer.from("ppi_x:ppisk_y").toString("base64")}`)
        return new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } });
      if (url === "https://index.example/simple/")
        return (init!.headers as Record<string, string>).accept === JSON_CONTENT_TYPE
          ? respond(200, JSON_CONTENT_TYPE, '{"meta":{"api-version":"1.1"},"projects":[{"name":"p"}]}')
          : respond(200, "text/html", '<a href="p/">p</a>');
      if (url === "https://index.example/simple/p/")
        return (init!.headers as Record<string, string>).accept === JSON_CONTENT_TYPE
          ? respond(
              200,
              JSON_CONTENT_TYPE,
              JSON.stringify({
                files: [{ filename: "p-1.whl", url: "https://cdn.example/p-1.whl", hashes: { sha256 } }],
              }),
            )
          : respond(200, "text/html", `<a href="https://cdn.example/p-1.whl#sha256=${sha256}">p-1.whl</a>`);
      return respond(403, "application/xml", "<Error><Code>AccessDenied</Code></Error>");
    }) as unknown as typeof fetch;
    const results = await check({ url: "https://index.example/simple/", key: "ppi_x:ppisk_y", fetch: index });
    expect(results.filter((r) => !r.ok).map((r) => [r.name, r.detail])).to.deep.equal([
      ["an unknown project is 404", "HTTP 403, expected 404"],
    ]);
    expect(sent.filter(([url]) => url.startsWith("https://cdn.example/"))).to.deep.equal([
      ["https://cdn.example/p-1.whl", undefined],
    ]);
    expect(
      sent
        .filter(([, auth]) => auth !== undefined)
        .every(([url]) => url.startsWith("https://index.example/")),
    ).to.equal(true);
  });

  it("refuses a malformed --key or --url before any request", async () => {
    await check({ url: "https://x/simple/", key: "nocolon" }).then(
      () => expect.fail("should throw"),
      (err: Error) => expect(err.message).to.equal("--key must be PUBLIC:SECRET, e.g. ppi_…:ppisk_…"),
    );
    await check({ url: "not a url", key: "a:b" }).then(
      () => expect.fail("should throw"),
      (err: Error) => expect(err.message).to.match(/--url "not a url" is not a URL/),
    );
  });
});
