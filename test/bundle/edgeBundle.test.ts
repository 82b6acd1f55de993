import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { isBuiltin } from "module";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { EdgeFunction } from "../../components/edgeFunction";
import { viewerRequestHandlerFactory } from "../../edge/handler";
import { ViewerRequestHandler, loadEdgeBundle, serializeEdgeBundle } from "../../sandbox/edgeBundle";
import {
  ViewerRequestOptions,
  basicAuthorization,
  forwarded,
  generated,
  headerValue,
  viewerRequestEvent,
} from "../../fixtures/cloudfrontEvents";
import { settle, setupMocks, valueOf } from "../mocks";
import { credentialToItem } from "../../domain/credentialRecords";
import { TEST_HANDLER_CONFIG, makeKey } from "../../fixtures/edgeKeys";
import { CredentialsOnMoto, startCredentialsOnMoto } from "../../fixtures/credentialsOnMoto";
import { claimProcessEnv } from "../../sandbox/processEnv";
import { UNKNOWN_KEY_LOOKUPS_PER_SECOND } from "../../domain/edgeAuthentication";
import { compiled } from "../support/compiled";

const MAX_BUNDLE_BYTES = 64 * 1024;
const PIP_ACCEPT =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";

/** The archive the mocked CallbackFunction would upload: entry name → text. */
async function deployedArchive(): Promise<Record<string, string>> {
  const recorder = await setupMocks({ stack: "dev" });
  const edge = new EdgeFunction("edge", {
    functionName: "ppi-dev-viewer-request",
    handlerFactory: viewerRequestHandlerFactory,
    handlerConfig: TEST_HANDLER_CONFIG,
  });
  await valueOf(edge.qualifiedArn);
  await settle();
  const code = recorder.one("aws:lambda/function:Function").inputs.code as {
    assets: Promise<Record<string, { text: Promise<string> }>>;
  };
  const assets = await code.assets;
  const entries = await Promise.all(
    Object.entries(assets).map(async ([name, asset]) => [name, await asset.text]),
  );
  return Object.fromEntries(entries);
}

/** Runs bundle text as a CommonJS module whose `require` resolves Node builtins and nothing else. */
function loadWithBuiltinsOnly(bundleText: string): ViewerRequestHandler {
  const bundle = { exports: {} as Record<string, unknown> };
  const requireBuiltin = (name: string) => {
    if (!isBuiltin(name)) throw new Error(`the bundle required ${name}, which is not a Node builtin`);
    return require(name);
  };
  new Function("exports", "require", "module", "__filename", "__dirname", bundleText)(
    bundle.exports,
    requireBuiltin,
    bundle,
    "/var/task/__index.js",
    "/var/task",
  );
  return bundle.exports.handler as ViewerRequestHandler;
}

describe("edge bundle: the archive of the mocked CallbackFunction", () => {
  let archive: Record<string, string>;
  before(async () => {
    archive = await deployedArchive();
  });

  it("is __index.js alone", () => {
    expect(Object.keys(archive)).to.deep.equal(["__index.js"]);
  });

  it(`is smaller than ${MAX_BUNDLE_BYTES} bytes`, () => {
    expect(Buffer.byteLength(archive["__index.js"], "utf8")).to.be.lessThan(MAX_BUNDLE_BYTES);
  });

  it("is exactly what serializeEdgeBundle produces for the same config (what the sandbox and bench run)", async () => {
    expect(archive["__index.js"]).to.equal(await serializeEdgeBundle(TEST_HANDLER_CONFIG));
  });

  it("is exactly what the compiled sandbox in dist/ (what npm start runs) serializes for the same config", function () {
    this.timeout(30_000);
    // From a script file, as npm start runs: under `node -e` Pulumi's serializer captures less of each module.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-bundle-"));
    try {
      const script = path.join(work, "serialize.js");
      fs.writeFileSync(
        script,
        `require(${JSON.stringify(compiled("sandbox/edgeBundle.js"))})` +
          ".serializeEdgeBundle(JSON.parse(process.argv[2])).then((text) => process.stdout.write(text));\n",
      );
      const child = spawnSync(process.execPath, [script, JSON.stringify(TEST_HANDLER_CONFIG)], {
        encoding: "utf8",
        maxBuffer: 16 * MAX_BUNDLE_BYTES,
      });
      expect(child.status, child.stderr).to.equal(0);
      expect(child.stdout).to.equal(archive["__index.js"]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it("requires Node builtins only: no AWS SDK, no Pulumi code", () => {
    const text = archive["__index.js"];
    const requires = [...text.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]).sort();
    expect(requires).to.deep.equal(["crypto", "http", "https"]);
    expect(requires.every((name) => isBuiltin(name))).to.equal(true);
    expect(text).not.to.include("@aws-sdk");
    expect(text).not.to.include("@smithy");
    expect(text).not.to.include("@pulumi");
  });

  it("captures the config as plain data", () => {
    const text = archive["__index.js"];
    expect(text).to.include('"ppi-dev-credentials"');
    expect(text).to.include('"python-package-index"');
    expect(text).to.include('"eu-west-1"');
  });

  it("refuses an invalid config before serializing", async () => {
    const error = await serializeEdgeBundle({ ...TEST_HANDLER_CONFIG, keyCacheSeconds: 3600 }).catch(
      (e: Error) => e,
    );
    expect(String(error)).to.match(/keyCacheSeconds 3600 must be an integer from 0 to 60/);
  });
});

describe("edge bundle: serving viewer-request events with credentials on moto_server @integration", () => {
  const keys = {
    valid: makeKey(),
    mainOnly: makeKey({ channels: ["main"] }),
    otherTenant: makeKey({ tenant: "globex" }),
    revoked: makeKey({ revokedAt: 1_700_000_000 }),
    expired: makeKey({ expiresAt: 1_700_000_000 }),
    demoOnly: makeKey({ projects: ["demo"] }),
    publisher: makeKey({ scope: "publish", projects: ["demo", "demo-pkg"] }),
  };
  /** Meant for feature-x only, but its channels were stored as a list instead of a string set. */
  const malformedChannels = makeKey({ channels: ["feature-x"] });
  /** Stored with a scope no code writes. */
  const unknownScope = makeKey();
  /** Meant for demo only, but its projects were stored as a string instead of a string set. */
  const malformedProjects = makeKey({ projects: ["demo"] });
  /** Written before scopes existed: no scope attribute. */
  const legacy = makeKey();
  let aws: CredentialsOnMoto;
  let text: string;
  let handler: ViewerRequestHandler;
  let logged: string[];
  const originalLog = console.log;

  before(async () => {
    text = (await deployedArchive())["__index.js"];
    aws = await startCredentialsOnMoto(
      TEST_HANDLER_CONFIG.tableName,
      Object.values(keys).map((k) => k.record),
    );
    await aws.putItem({
      ...credentialToItem(malformedChannels.record),
      channels: { L: [{ S: "feature-x" }] },
    });
    await aws.putItem({ ...credentialToItem(unknownScope.record), scope: { S: "admin" } });
    await aws.putItem({ ...credentialToItem(malformedProjects.record), projects: { S: "demo" } });
    const legacyItem = credentialToItem(legacy.record);
    delete legacyItem.scope;
    await aws.putItem(legacyItem);
  });
  after(async () => aws?.stop());
  beforeEach(() => {
    // A fresh container per test: its budget for keys it has not seen (UNKNOWN_KEY_LOOKUPS_PER_SECOND)
    // would otherwise refuse the later rows of a table that runs within one second.
    handler = loadEdgeBundle(text);
    logged = [];
    console.log = (...args: unknown[]) => logged.push(args.map(String).join(" "));
  });
  afterEach(() => {
    console.log = originalLog;
  });

  const serve = (options: ViewerRequestOptions) => handler(viewerRequestEvent(options));
  const as = (key: { authorization: string }, options: ViewerRequestOptions) =>
    serve({ ...options, headers: { ...options.headers, Authorization: key.authorization } });

  const pages: [string, ViewerRequestOptions, string][] = [
    [
      "the root as JSON for pip",
      { uri: "/simple/", headers: { Accept: PIP_ACCEPT } },
      "/acme/main/simple/index.json",
    ],
    ["the root as HTML without Accept", { uri: "/simple/" }, "/acme/main/simple/index.html"],
    [
      "a project as HTML",
      { uri: "/simple/demo/", headers: { Accept: "text/html" } },
      "/acme/main/simple/demo/index.html",
    ],
    [
      "a project as JSON via ?format",
      { uri: "/simple/demo/", querystring: "format=json" },
      "/acme/main/simple/demo/index.json",
    ],
    [
      "a wheel",
      { uri: "/files/demo/demo-1.0-py3-none-any.whl" },
      "/acme/main/files/demo/demo-1.0-py3-none-any.whl",
    ],
    [
      "its metadata with HEAD",
      { uri: "/files/demo/demo-1.0-py3-none-any.whl.metadata", method: "HEAD" },
      "/acme/main/files/demo/demo-1.0-py3-none-any.whl.metadata",
    ],
    ["a branch channel", { uri: "/feature-x/simple/demo/" }, "/acme/feature-x/simple/demo/index.html"],
  ];
  for (const [what, options, uri] of pages) {
    it(`forwards ${what} as ${uri}, without Authorization or querystring`, async () => {
      const request = forwarded(await as(keys.valid, options));
      expect(request.uri).to.equal(uri);
      expect(request.method).to.equal(options.method ?? "GET");
      expect(request.querystring).to.equal("");
      expect(request.headers.authorization).to.equal(undefined);
      expect(logged).to.deep.equal([]);
    });
  }

  it("looks a key up on moto with a require that resolves Node builtins and no package at all", async () => {
    const isolated = loadWithBuiltinsOnly(text);
    const request = forwarded(
      await isolated(
        viewerRequestEvent({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } }),
      ),
    );
    expect(request.uri).to.equal("/acme/main/simple/index.html");
  });

  const restricted: [string, { authorization: string }, string, string][] = [
    ["its project's page", keys.demoOnly, "/simple/demo/", "/acme/main/simple/demo/index.html"],
    [
      "its project's file in a branch channel",
      keys.demoOnly,
      "/feature-x/files/demo/demo-1.0.tar.gz",
      "/acme/feature-x/files/demo/demo-1.0.tar.gz",
    ],
    [
      "a publish key's second project",
      keys.publisher,
      "/simple/demo-pkg/",
      "/acme/main/simple/demo-pkg/index.html",
    ],
    ["a record without a scope (a read key)", legacy, "/simple/", "/acme/main/simple/index.html"],
  ];
  for (const [what, key, uri, origin] of restricted) {
    it(`forwards ${what}: ${uri} as ${origin}`, async () => {
      expect(forwarded(await as(key, { uri })).uri).to.equal(origin);
      expect(logged).to.deep.equal([]);
    });
  }

  it("rewrites another tenant's key into its own prefix", async () => {
    expect(forwarded(await as(keys.otherTenant, { uri: "/simple/demo/" })).uri).to.equal(
      "/globex/main/simple/demo/index.html",
    );
  });

  it("answers CloudFront's fetch of an error page at origin-request with the fixed page, never forwarding", async () => {
    const page = generated(await serve({ uri: "/_errors/404", eventType: "origin-request" }));
    expect([page.status, page.body]).to.deep.equal(["200", "404 Not Found\n"]);
    const other = generated(
      await serve({ uri: "/acme/main/simple/index.html", eventType: "origin-request" }),
    );
    expect(other.status).to.equal("404");
  });

  const refusals: [string, () => Promise<unknown>, string, string][] = [
    ["no credentials", () => serve({ uri: "/simple/" }), "401", "missing-credentials"],
    ["an unknown key", () => as(makeKey(), { uri: "/simple/" }), "401", "unknown-key"],
    [
      "a wrong secret",
      () =>
        serve({
          uri: "/simple/",
          headers: { Authorization: basicAuthorization(keys.valid.publicKey, makeKey().secretKey) },
        }),
      "401",
      "wrong-secret",
    ],
    ["a revoked key", () => as(keys.revoked, { uri: "/simple/" }), "401", "revoked"],
    ["an expired key", () => as(keys.expired, { uri: "/simple/" }), "401", "expired"],
    [
      "a key whose stored channels are not a string set (a corrupt record, not a missing one)",
      () => as(malformedChannels, { uri: "/simple/" }),
      "401",
      "corrupt-record",
    ],
    [
      "a malformed header",
      () => serve({ uri: "/simple/", headers: { Authorization: "Basic %%%" } }),
      "401",
      "malformed-credentials",
    ],
    [
      "a channel outside the key's scope",
      () => as(keys.mainOnly, { uri: "/feature-x/simple/" }),
      "403",
      "channel-not-allowed",
    ],
    [
      "a dot-dot escape",
      () => as(keys.valid, { uri: "/simple/../../globex/main/simple/" }),
      "400",
      "dot-segment",
    ],
    [
      "an encoded escape",
      () => as(keys.valid, { uri: "/files/demo/..%2F..%2F..%2Fglobex%2Fx" }),
      "400",
      "encoded-slash",
    ],
    [
      "a double-encoded escape",
      () => as(keys.valid, { uri: "/files/demo/%252e%252e" }),
      "400",
      "bad-filename",
    ],
    ["a POST", () => as(keys.valid, { uri: "/simple/", method: "POST" }), "405", "method-not-allowed"],
    [
      "an Accept admitting no page format",
      () => as(keys.valid, { uri: "/simple/", headers: { Accept: "image/png" } }),
      "406",
      "not-acceptable",
    ],
    ["an unknown path", () => as(keys.valid, { uri: "/admin/" }), "404", "no-such-route"],
    [
      "another project for a project-restricted key",
      () => as(keys.demoOnly, { uri: "/simple/demo-pkg/" }),
      "403",
      "project-not-allowed",
    ],
    [
      "another project's file, non-normalized, in a channel",
      () => as(keys.demoOnly, { uri: "/feature-x/files/Demo_Pkg/demo_pkg-1.0.tar.gz" }),
      "403",
      "project-not-allowed",
    ],
    [
      "another project percent-encoded",
      () => as(keys.publisher, { uri: "/simple/%6fther/" }),
      "403",
      "project-not-allowed",
    ],
    [
      "the root page for a project-restricted key",
      () => as(keys.demoOnly, { uri: "/simple/" }),
      "403",
      "root-not-allowed",
    ],
    [
      "a key whose stored scope is unknown (a corrupt record)",
      () => as(unknownScope, { uri: "/simple/demo/" }),
      "401",
      "corrupt-record",
    ],
    [
      "a key whose stored projects are not a string set (a corrupt record, never every project)",
      () => as(malformedProjects, { uri: "/simple/demo/" }),
      "401",
      "corrupt-record",
    ],
  ];
  for (const [what, send, status, reason] of refusals) {
    it(`answers ${what} with ${status} and one log line (${reason})`, async () => {
      const response = generated((await send()) as Awaited<ReturnType<ViewerRequestHandler>>);
      expect(response.status).to.equal(status);
      expect(headerValue(response, "cache-control")).to.equal("no-store");
      if (status === "401") {
        expect(headerValue(response, "www-authenticate")).to.equal(
          'Basic realm="python-package-index", charset="UTF-8"',
        );
      }
      expect(logged).to.have.length(1);
      expect(JSON.parse(logged[0])).to.include({ event: "denied", reason, status: Number(status) });
      for (const key of [...Object.values(keys), malformedChannels, unknownScope, malformedProjects]) {
        expect(logged[0]).not.to.include(key.secretKey);
      }
    });
  }

  it("301s a project URL without its slash, and a non-normalized name, in one hop", async () => {
    const response = generated(await as(keys.valid, { uri: "/simple/Demo_Pkg" }));
    expect(response.status).to.equal("301");
    expect(headerValue(response, "location")).to.equal("/simple/demo-pkg/");
  });

  it("answers 405 with Allow: GET, HEAD", async () => {
    expect(headerValue(generated(await serve({ uri: "/simple/", method: "DELETE" })), "allow")).to.equal(
      "GET, HEAD",
    );
  });

  it("forwards POST /legacy/ as it came, its Authorization moved to x-ppi-authorization (a forged one dropped)", async () => {
    const request = forwarded(
      await as(keys.publisher, {
        uri: "/legacy/",
        method: "POST",
        headers: { "X-Ppi-Authorization": keys.valid.authorization },
      }),
    );
    expect(request.uri).to.equal("/legacy/");
    expect(request.method).to.equal("POST");
    expect(request.headers.authorization).to.equal(undefined);
    expect(request.headers["x-ppi-authorization"].map((h) => h.value)).to.deep.equal([
      keys.publisher.authorization,
    ]);
    expect(logged).to.deep.equal([]);
  });

  it("answers GET /legacy/ with 405 and Allow: POST", async () => {
    const response = generated(await as(keys.publisher, { uri: "/legacy/" }));
    expect(response.status).to.equal("405");
    expect(headerValue(response, "allow")).to.equal("POST");
  });

  it("fails closed with 503 when the table cannot be read", async () => {
    const missingTable = loadEdgeBundle(
      await serializeEdgeBundle({ ...TEST_HANDLER_CONFIG, tableName: "ppi-dev-missing" }),
    );
    const response = generated(
      await missingTable(
        viewerRequestEvent({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } }),
      ),
    );
    expect(response.status).to.equal("503");
    expect(JSON.parse(logged[0])).to.include({
      reason: "lookup-failed",
      detail: "ResourceNotFoundException",
    });
  });
});

describe("edge bundle: a flood of made-up keys against a counting DynamoDB stand-in", () => {
  const valid = makeKey();
  const asked: string[] = [];
  let server: http.Server;
  let restoreEnv: () => void;
  let handler: ViewerRequestHandler;
  const originalLog = console.log;

  before(async () => {
    // Answers GetItem like DynamoDB: the valid key's item, no item for anything else; counts each.
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const publicKey = JSON.parse(Buffer.concat(chunks).toString("utf8")).Key.publicKey.S as string;
        asked.push(publicKey);
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        response.end(
          JSON.stringify(publicKey === valid.publicKey ? { Item: credentialToItem(valid.record) } : {}),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    restoreEnv = claimProcessEnv({
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      AWS_ENDPOINT_URL_DYNAMODB: undefined,
      AWS_ACCESS_KEY_ID: "AKIDFLOODTEST",
      AWS_SECRET_ACCESS_KEY: "flood-test-secret",
      AWS_SESSION_TOKEN: undefined,
      AWS_REGION: "us-east-1",
    });
    handler = loadEdgeBundle((await deployedArchive())["__index.js"]);
    console.log = () => undefined;
  });
  after(async () => {
    console.log = originalLog;
    restoreEnv?.();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("bounds the lookups, answers 503 beyond the bound (never forwards) and keeps the valid key cached", async () => {
    const serve = (authorization: string) =>
      handler(viewerRequestEvent({ uri: "/simple/", headers: { Authorization: authorization } }));
    expect(forwarded(await serve(valid.authorization)).uri).to.equal("/acme/main/simple/index.html");
    const started = Date.now();
    const statuses = new Map<string, number>();
    for (let i = 0; i < 2001; i++) {
      const result = generated(await serve(makeKey().authorization));
      statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
      if (i % 100 === 0)
        expect(forwarded(await serve(valid.authorization)).uri).to.equal("/acme/main/simple/index.html");
    }
    const seconds = Math.ceil((Date.now() - started) / 1000);
    const floodLookups = asked.filter((key) => key !== valid.publicKey).length;
    // The burst, less the valid key's first lookup, then the rate for each second the flood lasted.
    expect(floodLookups).to.be.at.most(UNKNOWN_KEY_LOOKUPS_PER_SECOND * (1 + seconds) - 1);
    expect(asked.filter((key) => key === valid.publicKey)).to.have.length(1);
    expect(statuses.get("401")).to.equal(floodLookups);
    expect(statuses.get("503")).to.equal(2001 - floodLookups);
    expect([...statuses.keys()].sort()).to.deep.equal(["401", "503"]);
  });
});
