import { expect } from "chai";
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { CredentialRecord } from "../../domain/credentialRecords";
import {
  CORRUPT_RECORD,
  CredentialStore,
  StoredCredential,
  createCachedLookup,
} from "../../edge/credentialLookup";
import { ViewerRequestConfig, createViewerRequestHandlerWith } from "../../edge/handler";
import {
  ViewerRequestOptions,
  basicAuthorization,
  forwarded,
  generated,
  headerValue,
  viewerRequestEvent,
} from "../../fixtures/cloudfrontEvents";
import { NOW_SECONDS, TEST_HANDLER_CONFIG, TestKey, makeKey, makeKeySet } from "../../fixtures/edgeKeys";

const PIP_ACCEPT =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";

/** An in-memory store that counts lookups and can be switched to failing. */
class FakeStore implements CredentialStore {
  readonly records = new Map<string, CredentialRecord>();
  /** Public keys whose stored item is not a well-formed record. */
  readonly corrupt = new Set<string>();
  lookups = 0;
  failure: Error | undefined;
  constructor(keys: readonly TestKey[]) {
    for (const key of keys) this.records.set(key.publicKey, key.record);
  }
  async get(publicKey: string): Promise<StoredCredential> {
    this.lookups++;
    if (this.failure) throw this.failure;
    if (this.corrupt.has(publicKey)) return CORRUPT_RECORD;
    return this.records.get(publicKey) ?? null;
  }
}

interface Harness {
  handle(options: ViewerRequestOptions): Promise<CloudFrontRequestResult>;
  readonly store: FakeStore;
  readonly logs: string[];
  clockMs: number;
}

function harness(keys: readonly TestKey[], config: Partial<ViewerRequestConfig> = {}): Harness {
  const full = { ...TEST_HANDLER_CONFIG, ...config };
  const store = new FakeStore(keys);
  const logs: string[] = [];
  const h: Harness = {
    store,
    logs,
    clockMs: NOW_SECONDS * 1000,
    handle: (options) => handler(viewerRequestEvent(options)),
  };
  const handler = createViewerRequestHandlerWith(full, {
    lookup: createCachedLookup(store, {
      validTtlMs: full.keyCacheSeconds * 1000,
      unknownTtlMs: full.unknownKeyCacheSeconds * 1000,
    }),
    now: () => h.clockMs,
    log: (line) => logs.push(line),
  });
  return h;
}

const keys = makeKeySet();
const allKeys = Object.values(keys);

describe("viewer-request handler: rewriting", () => {
  const h = harness(allKeys);
  const cases: [string, ViewerRequestOptions, string][] = [
    ["root page, HTML by default", { uri: "/simple/" }, "/acme/main/simple/index.html"],
    [
      "root page, pip's Accept → JSON",
      { uri: "/simple/", headers: { Accept: PIP_ACCEPT } },
      "/acme/main/simple/index.json",
    ],
    [
      "project page, HTML Accept",
      { uri: "/simple/requests/", headers: { Accept: "text/html" } },
      "/acme/main/simple/requests/index.html",
    ],
    [
      "project page, ?format=json overrides Accept",
      { uri: "/simple/requests/", querystring: "format=json", headers: { Accept: "text/html" } },
      "/acme/main/simple/requests/index.json",
    ],
    [
      "project page, ?format=html overrides Accept",
      { uri: "/simple/requests/", querystring: "format=html", headers: { Accept: PIP_ACCEPT } },
      "/acme/main/simple/requests/index.html",
    ],
    [
      "a wheel",
      { uri: "/files/requests/requests-2.32.3-py3-none-any.whl" },
      "/acme/main/files/requests/requests-2.32.3-py3-none-any.whl",
    ],
    [
      "its metadata",
      { uri: "/files/requests/requests-2.32.3-py3-none-any.whl.metadata" },
      "/acme/main/files/requests/requests-2.32.3-py3-none-any.whl.metadata",
    ],
    [
      "a file regardless of Accept",
      { uri: "/files/a/a-1.0.tar.gz", headers: { Accept: "image/png" } },
      "/acme/main/files/a/a-1.0.tar.gz",
    ],
    [
      "a local version, + re-encoded for S3",
      { uri: "/files/a/a-1.0%2Blocal-py3-none-any.whl" },
      "/acme/main/files/a/a-1.0%2Blocal-py3-none-any.whl",
    ],
    ["an epoch", { uri: "/files/a/a-1!2.0-py3-none-any.whl" }, "/acme/main/files/a/a-1!2.0-py3-none-any.whl"],
    [
      "a branch channel",
      { uri: "/feature-x/simple/requests/" },
      "/acme/feature-x/simple/requests/index.html",
    ],
    [
      "a branch channel file",
      { uri: "/feature-x/files/a/a-1.0.tar.gz" },
      "/acme/feature-x/files/a/a-1.0.tar.gz",
    ],
    ["HEAD (uv)", { uri: "/files/a/a-1.0.tar.gz", method: "HEAD" }, "/acme/main/files/a/a-1.0.tar.gz"],
  ];
  for (const [what, options, expectedUri] of cases) {
    it(`forwards ${what} to ${expectedUri}`, async () => {
      const request = forwarded(
        await h.handle({
          ...options,
          headers: { ...options.headers, Authorization: keys.valid.authorization },
        }),
      );
      expect(request.uri).to.equal(expectedUri);
      expect(request.querystring).to.equal("");
      expect(request.headers.authorization).to.equal(undefined);
      expect(request.method).to.equal(options.method ?? "GET");
    });
  }

  it("keeps the other viewer headers (Range for uv)", async () => {
    const request = forwarded(
      await h.handle({
        uri: "/files/a/a-1.0.tar.gz",
        headers: { Authorization: keys.valid.authorization, Range: "bytes=0-99" },
      }),
    );
    expect(headerValue(request, "range")).to.equal("bytes=0-99");
  });

  it("rewrites into the key's own tenant", async () => {
    const request = forwarded(
      await h.handle({ uri: "/simple/", headers: { Authorization: keys.otherTenant.authorization } }),
    );
    expect(request.uri).to.equal("/globex/main/simple/index.html");
  });

  it("honours a key with an expiry in the future", async () => {
    const request = forwarded(
      await h.handle({ uri: "/simple/", headers: { Authorization: keys.expiresLater.authorization } }),
    );
    expect(request.uri).to.equal("/acme/main/simple/index.html");
  });

  it("logs nothing on success", async () => {
    const before = h.logs.length;
    await h.handle({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } });
    expect(h.logs.length).to.equal(before);
  });
});

describe("origin-request: the fixed pages CloudFront shows instead of S3's errors", () => {
  const h = harness(allKeys);
  for (const status of [400, 403, 404, 416, 500, 503]) {
    it(`answers /_errors/${status} with 200 and the edge's own ${status} body, without a lookup`, async () => {
      const page = generated(await h.handle({ uri: `/_errors/${status}`, eventType: "origin-request" }));
      const own = generated(await h.handle({ uri: "/simple/" }));
      expect(page.status).to.equal("200");
      expect(page.body).to.match(new RegExp(`^${status} [A-Z][A-Za-z ]+\n$`));
      expect(page.body).to.not.include("<");
      expect(headerValue(page, "content-type")).to.equal(headerValue(own, "content-type"));
      expect(headerValue(page, "cache-control")).to.equal("no-store");
      expect(h.store.lookups).to.equal(0);
    });
  }

  for (const uri of ["/_errors/401", "/_errors/404/x", "/acme/main/simple/index.html", "/simple/"]) {
    it(`never forwards an origin request for ${uri}: 404`, async () => {
      expect(generated(await h.handle({ uri, eventType: "origin-request" })).status).to.equal("404");
    });
  }

  it("never forwards a viewer's own request for /_errors/404: no route (400 as a channel name, 404 without channels)", async () => {
    const withKey = { uri: "/_errors/404", headers: { Authorization: keys.valid.authorization } };
    expect(generated(await h.handle(withKey)).status).to.equal("400");
    const noChannels = harness(allKeys, { branchChannels: false });
    expect(generated(await noChannels.handle(withKey)).status).to.equal("404");
    expect(generated(await noChannels.handle({ uri: "/_errors/404" })).status).to.equal("401");
  });
});

describe("viewer-request handler: redirects", () => {
  const h = harness(allKeys);
  const cases: [string, ViewerRequestOptions, string][] = [
    ["/simple without its slash", { uri: "/simple" }, "/simple/"],
    ["a project without its slash", { uri: "/simple/requests" }, "/simple/requests/"],
    ["a non-normalized project", { uri: "/simple/Foo_Bar.baz/" }, "/simple/foo-bar-baz/"],
    [
      "a non-normalized project without its slash, in one hop",
      { uri: "/simple/Foo_Bar" },
      "/simple/foo-bar/",
    ],
    [
      "a file under a non-normalized project",
      { uri: "/files/Foo/foo-1.0.tar.gz" },
      "/files/foo/foo-1.0.tar.gz",
    ],
    ["a channel project without its slash", { uri: "/feature-x/simple/a" }, "/feature-x/simple/a/"],
    ["the main channel by name", { uri: "/main/simple/a/" }, "/simple/a/"],
    ["keeping ?format", { uri: "/simple/A", querystring: "format=json&x=1" }, "/simple/a/?format=json"],
    ["an encoded /simple/", { uri: "/%73imple/" }, "/simple/"],
    [
      "an encoded /files/ (CloudFront would match the pages behaviour)",
      { uri: "/%66iles/a/a.whl" },
      "/files/a/a.whl",
    ],
    ["an encoded channel", { uri: "/%66eature-x/files/a/a.whl" }, "/feature-x/files/a/a.whl"],
    ["an encoded project letter", { uri: "/simple/%72equests/" }, "/simple/requests/"],
    [
      "a raw + in a file name to the %2B the pages link with",
      { uri: "/files/a/a-1+x.whl" },
      "/files/a/a-1%2Bx.whl",
    ],
    ["a lowercase escape", { uri: "/files/a/a-1%2bx.whl" }, "/files/a/a-1%2Bx.whl"],
  ];
  for (const [what, options, location] of cases) {
    it(`301s ${what} to ${location}`, async () => {
      const response = generated(
        await h.handle({ ...options, headers: { Authorization: keys.valid.authorization } }),
      );
      expect(response.status).to.equal("301");
      expect(headerValue(response, "location")).to.equal(location);
      expect(headerValue(response, "cache-control")).to.equal("no-store");
    });
  }

  it("does not redirect without a valid key", async () => {
    expect(generated(await h.handle({ uri: "/simple" })).status).to.equal("401");
  });
});

describe("viewer-request handler: denials", () => {
  const wrongSecret = basicAuthorization(keys.valid.publicKey, makeKey().secretKey);
  const unknown = makeKey().authorization;
  const cases: [string, ViewerRequestOptions, number, string][] = [
    ["no credentials", { uri: "/simple/" }, 401, "missing-credentials"],
    ["a Bearer token", { uri: "/simple/", headers: { Authorization: "Bearer abc" } }, 401, "not-basic"],
    [
      "broken base64",
      { uri: "/simple/", headers: { Authorization: "Basic !!!" } },
      401,
      "malformed-credentials",
    ],
    [
      "no colon",
      { uri: "/simple/", headers: { Authorization: `Basic ${Buffer.from("ppi_x").toString("base64")}` } },
      401,
      "malformed-credentials",
    ],
    [
      "two Authorization headers",
      { uri: "/simple/", headers: { Authorization: [keys.valid.authorization, unknown] } },
      401,
      "malformed-credentials",
    ],
    [
      "an over-long header",
      { uri: "/simple/", headers: { Authorization: `Basic ${"QUFB".repeat(200)}` } },
      401,
      "credentials-too-long",
    ],
    [
      "a username that is no public key",
      { uri: "/simple/", headers: { Authorization: basicAuthorization("alice", keys.valid.secretKey) } },
      401,
      "bad-key-format",
    ],
    [
      "swapped username and secret",
      {
        uri: "/simple/",
        headers: { Authorization: basicAuthorization(keys.valid.secretKey, keys.valid.publicKey) },
      },
      401,
      "bad-key-format",
    ],
    ["an unknown key", { uri: "/simple/", headers: { Authorization: unknown } }, 401, "unknown-key"],
    ["a wrong secret", { uri: "/simple/", headers: { Authorization: wrongSecret } }, 401, "wrong-secret"],
    [
      "a revoked key",
      { uri: "/simple/", headers: { Authorization: keys.revoked.authorization } },
      401,
      "revoked",
    ],
    [
      "an expired key",
      { uri: "/simple/", headers: { Authorization: keys.expired.authorization } },
      401,
      "expired",
    ],
    [
      "a record with an invalid tenant",
      { uri: "/simple/", headers: { Authorization: keys.badTenant.authorization } },
      401,
      "invalid-tenant",
    ],
    [
      "a channel outside the key's scope",
      { uri: "/feature-x/simple/", headers: { Authorization: keys.mainOnly.authorization } },
      403,
      "channel-not-allowed",
    ],
    [
      "POST",
      { uri: "/simple/", method: "POST", headers: { Authorization: keys.valid.authorization } },
      405,
      "method-not-allowed",
    ],
    ["OPTIONS", { uri: "/simple/", method: "OPTIONS" }, 405, "method-not-allowed"],
    [
      "a dot-dot segment",
      { uri: "/simple/../../globex/", headers: { Authorization: keys.valid.authorization } },
      400,
      "dot-segment",
    ],
    [
      "an encoded dot-dot",
      { uri: "/files/%2e%2e/x", headers: { Authorization: keys.valid.authorization } },
      400,
      "dot-segment",
    ],
    [
      "an encoded slash",
      { uri: "/files/a%2F..%2F..%2Fglobex/x", headers: { Authorization: keys.valid.authorization } },
      400,
      "encoded-slash",
    ],
    [
      "a backslash",
      { uri: "/files/a/..\\x", headers: { Authorization: keys.valid.authorization } },
      400,
      "backslash",
    ],
    [
      "an encoded NUL",
      { uri: "/files/a/x%00.whl", headers: { Authorization: keys.valid.authorization } },
      400,
      "control-character",
    ],
    [
      "bad percent-encoding",
      { uri: "/simple/%E0%A4%A/", headers: { Authorization: keys.valid.authorization } },
      400,
      "bad-encoding",
    ],
    ["an over-long URI", { uri: `/simple/${"a".repeat(1100)}/` }, 400, "uri-too-long"],
    [
      "an empty segment",
      { uri: "/simple//", headers: { Authorization: keys.valid.authorization } },
      400,
      "empty-segment",
    ],
    ["an invalid project name", { uri: "/simple/-bad-/" }, 400, "bad-project"],
    ["an invalid file name", { uri: "/files/a/%3Cscript%3E" }, 400, "bad-filename"],
    ["an invalid channel name", { uri: "/Feature/simple/" }, 400, "bad-channel"],
    ["an unknown ?format", { uri: "/simple/", querystring: "format=xml" }, 400, "malformed-query"],
    [
      "an unknown path",
      { uri: "/admin", headers: { Authorization: keys.valid.authorization } },
      404,
      "no-such-route",
    ],
    [
      "the bare host",
      { uri: "/", headers: { Authorization: keys.valid.authorization } },
      404,
      "no-such-route",
    ],
    [
      "an Accept naming neither format",
      { uri: "/simple/", headers: { Authorization: keys.valid.authorization, Accept: "image/png" } },
      406,
      "not-acceptable",
    ],
    [
      "an Accept refusing both formats",
      {
        uri: "/simple/a/",
        headers: {
          Authorization: keys.valid.authorization,
          Accept: "text/html;q=0, application/vnd.pypi.simple.v1+json;q=0",
        },
      },
      406,
      "not-acceptable",
    ],
    [
      "an over-long Accept",
      {
        uri: "/simple/",
        headers: { Authorization: keys.valid.authorization, Accept: "text/html, ".repeat(200) },
      },
      400,
      "malformed-accept",
    ],
  ];
  for (const [what, options, status, reason] of cases) {
    it(`answers ${what} with ${status} (${reason})`, async () => {
      const h = harness(allKeys);
      const response = generated(await h.handle({ ...options, requestId: "req-1" }));
      expect(response.status).to.equal(String(status));
      expect(headerValue(response, "cache-control")).to.equal("no-store");
      expect(response.body!.length).to.be.lessThan(64);
      expect(h.logs).to.have.length(1);
      const line = JSON.parse(h.logs[0]);
      expect(line).to.include({ event: "denied", status, reason, requestId: "req-1" });
      for (const key of allKeys) expect(h.logs[0]).not.to.include(key.secretKey);
    });
  }

  it("gives every 401 the same challenge and body, whatever was wrong", async () => {
    const h = harness(allKeys);
    const bodies = new Set<string>();
    for (const authorization of [
      undefined,
      unknown,
      wrongSecret,
      keys.revoked.authorization,
      keys.expired.authorization,
    ]) {
      const response = generated(
        await h.handle({ uri: "/simple/", headers: authorization ? { Authorization: authorization } : {} }),
      );
      expect(response.status).to.equal("401");
      expect(headerValue(response, "www-authenticate")).to.equal(
        'Basic realm="python-package-index", charset="UTF-8"',
      );
      bodies.add(JSON.stringify(response));
    }
    expect(bodies.size).to.equal(1);
  });

  it("answers 405 with Allow: GET, HEAD", async () => {
    const response = generated(await harness(allKeys).handle({ uri: "/simple/", method: "PUT" }));
    expect(headerValue(response, "allow")).to.equal("GET, HEAD");
  });

  it("tells a corrupt record from a missing one in the log, and nothing else: same 401, no secret or hash", async () => {
    const h = harness(allKeys);
    h.store.corrupt.add(keys.valid.publicKey);
    const corrupt = generated(
      await h.handle({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } }),
    );
    const missing = generated(await h.handle({ uri: "/simple/", headers: { Authorization: unknown } }));
    expect(JSON.stringify(corrupt)).to.equal(JSON.stringify(missing));
    expect(h.logs.map((line) => JSON.parse(line).reason)).to.deep.equal(["corrupt-record", "unknown-key"]);
    expect(JSON.parse(h.logs[0])).to.deep.equal({
      event: "denied",
      status: 401,
      reason: "corrupt-record",
      keyPrefix: keys.valid.publicKey.slice(0, 12),
      requestId: JSON.parse(h.logs[0]).requestId,
    });
    for (const secret of [keys.valid.secretKey, keys.valid.record.secretHash, keys.valid.record.salt]) {
      expect(h.logs[0]).not.to.include(secret);
    }
  });

  it("logs the public-key prefix, never the key or the secret", async () => {
    const h = harness(allKeys);
    await h.handle({ uri: "/simple/", headers: { Authorization: wrongSecret } });
    const line = JSON.parse(h.logs[0]);
    expect(line.keyPrefix).to.equal(keys.valid.publicKey.slice(0, 12));
    expect(h.logs[0]).not.to.include(keys.valid.publicKey);
  });

  it("does not serve channels when branch channels are off", async () => {
    const h = harness(allKeys, { branchChannels: false });
    const response = generated(
      await h.handle({ uri: "/feature-x/simple/", headers: { Authorization: keys.valid.authorization } }),
    );
    expect(response.status).to.equal("404");
  });

  it("lets a main-only key read main", async () => {
    const h = harness(allKeys);
    const request = forwarded(
      await h.handle({ uri: "/simple/", headers: { Authorization: keys.mainOnly.authorization } }),
    );
    expect(request.uri).to.equal("/acme/main/simple/index.html");
  });

  it("refuses malformed requests before any lookup", async () => {
    const h = harness(allKeys);
    await h.handle({ uri: "/simple/../", headers: { Authorization: keys.valid.authorization } });
    await h.handle({ uri: "/simple/", headers: { Authorization: basicAuthorization("junk", "junk") } });
    expect(h.store.lookups).to.equal(0);
  });
});

describe("viewer-request handler: project restrictions", () => {
  const ROOT_REFUSAL =
    "403 Forbidden: this key may read only the projects it names, and the root page lists them all; request /simple/<project>/ (pip, uv and poetry do)\n";
  const PROJECT_REFUSAL = "403 Forbidden: this key may not read this project\n";
  type Expected = { forward: string } | { status: 403; reason: string; body: string } | { redirect: string };
  const cases: [string, TestKey, string, Expected][] = [
    ["its project page", keys.demoOnly, "/simple/demo/", { forward: "/acme/main/simple/demo/index.html" }],
    [
      "its file",
      keys.demoOnly,
      "/files/demo/demo-1.0.tar.gz",
      { forward: "/acme/main/files/demo/demo-1.0.tar.gz" },
    ],
    [
      "its project in a branch channel",
      keys.demoOnly,
      "/feature-x/simple/demo/",
      { forward: "/acme/feature-x/simple/demo/index.html" },
    ],
    [
      "its second project (publish scope reads too)",
      keys.demoPublisher,
      "/files/other-lib/other_lib-1.0.tar.gz",
      { forward: "/acme/main/files/other-lib/other_lib-1.0.tar.gz" },
    ],
    ["its project in another spelling", keys.demoOnly, "/simple/DEMO/", { redirect: "/simple/demo/" }],
    [
      "another project",
      keys.demoOnly,
      "/simple/other-lib/",
      { status: 403, reason: "project-not-allowed", body: PROJECT_REFUSAL },
    ],
    [
      "another project's file",
      keys.demoOnly,
      "/files/other-lib/other_lib-1.0.tar.gz",
      { status: 403, reason: "project-not-allowed", body: PROJECT_REFUSAL },
    ],
    [
      "another project not normalized (refused before the redirect)",
      keys.demoOnly,
      "/simple/Other_Lib",
      { status: 403, reason: "project-not-allowed", body: PROJECT_REFUSAL },
    ],
    [
      "another project percent-encoded",
      keys.demoOnly,
      "/simple/%6fther-lib/",
      { status: 403, reason: "project-not-allowed", body: PROJECT_REFUSAL },
    ],
    [
      "another project in a branch channel",
      keys.demoOnly,
      "/feature-x/files/other-lib/other_lib-1.0.tar.gz",
      { status: 403, reason: "project-not-allowed", body: PROJECT_REFUSAL },
    ],
    [
      "another project through /main/",
      keys.demoOnly,
      "/main/simple/other-lib/",
      { status: 403, reason: "project-not-allowed", body: PROJECT_REFUSAL },
    ],
    [
      "a project whose name starts with its own",
      keys.demoOnly,
      "/simple/demo-extra/",
      { status: 403, reason: "project-not-allowed", body: PROJECT_REFUSAL },
    ],
    [
      "the root page",
      keys.demoOnly,
      "/simple/",
      { status: 403, reason: "root-not-allowed", body: ROOT_REFUSAL },
    ],
    [
      "a branch channel's root page",
      keys.demoOnly,
      "/feature-x/simple/",
      { status: 403, reason: "root-not-allowed", body: ROOT_REFUSAL },
    ],
    [
      "the root page without its slash",
      keys.demoPublisher,
      "/simple",
      { status: 403, reason: "root-not-allowed", body: ROOT_REFUSAL },
    ],
    [
      "its project in a channel outside its channels (the channel is checked first)",
      keys.demoPublisher,
      "/feature-x/simple/demo/",
      { status: 403, reason: "channel-not-allowed", body: "403 Forbidden\n" },
    ],
    [
      "an unrestricted key, the root page",
      keys.valid,
      "/simple/",
      { forward: "/acme/main/simple/index.html" },
    ],
  ];
  for (const [what, key, uri, expected] of cases) {
    it(`${what}: ${uri} → ${JSON.stringify(expected)}`, async () => {
      const h = harness(allKeys);
      const result = await h.handle({
        uri,
        requestId: "req-1",
        headers: { Authorization: key.authorization },
      });
      if ("forward" in expected) {
        expect(forwarded(result).uri).to.equal(expected.forward);
        expect(h.logs).to.deep.equal([]);
      } else if ("redirect" in expected) {
        expect(generated(result).status).to.equal("301");
        expect(headerValue(generated(result), "location")).to.equal(expected.redirect);
      } else {
        const response = generated(result);
        expect(response.status).to.equal("403");
        expect(response.body).to.equal(expected.body);
        expect(headerValue(response, "cache-control")).to.equal("no-store");
        expect(h.logs.map((line) => JSON.parse(line))).to.deep.equal([
          {
            event: "denied",
            status: 403,
            reason: expected.reason,
            keyPrefix: key.publicKey.slice(0, 12),
            requestId: "req-1",
          },
        ]);
      }
    });
  }
});

describe("viewer-request handler: lookups, caching and failure", () => {
  it("answers 503 and logs the error class when the lookup fails, and caches nothing", async () => {
    const h = harness(allKeys);
    const error = new Error("connect ECONNREFUSED 10.0.0.1:443 secret-ish detail");
    error.name = "TimeoutError";
    h.store.failure = error;
    const response = generated(
      await h.handle({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } }),
    );
    expect(response.status).to.equal("503");
    expect(JSON.parse(h.logs[0])).to.include({ reason: "lookup-failed", detail: "TimeoutError" });
    expect(h.logs[0]).not.to.include("ECONNREFUSED");
    h.store.failure = undefined;
    forwarded(await h.handle({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } }));
    expect(h.store.lookups).to.equal(2);
  });

  it("looks a valid key up once per keyCacheSeconds; a revocation applies after it", async () => {
    const h = harness(allKeys, { keyCacheSeconds: 60 });
    const get = () => h.handle({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } });
    forwarded(await get());
    h.store.records.set(keys.valid.publicKey, { ...keys.valid.record, revokedAt: NOW_SECONDS });
    h.clockMs += 59_999;
    forwarded(await get());
    expect(h.store.lookups).to.equal(1);
    h.clockMs += 1;
    expect(generated(await get()).status).to.equal("401");
    expect(h.store.lookups).to.equal(2);
  });

  it("remembers an unknown key for unknownKeyCacheSeconds; a new key works after it", async () => {
    const fresh = makeKey();
    const h = harness(allKeys, { unknownKeyCacheSeconds: 10 });
    const get = () => h.handle({ uri: "/simple/", headers: { Authorization: fresh.authorization } });
    expect(generated(await get()).status).to.equal("401");
    h.store.records.set(fresh.publicKey, fresh.record);
    h.clockMs += 9_999;
    expect(generated(await get()).status).to.equal("401");
    h.clockMs += 1;
    forwarded(await get());
    expect(h.store.lookups).to.equal(2);
  });

  it("verifies the secret on every request, also for a cached key", async () => {
    const h = harness(allKeys);
    forwarded(await h.handle({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } }));
    const wrong = basicAuthorization(keys.valid.publicKey, makeKey().secretKey);
    expect(generated(await h.handle({ uri: "/simple/", headers: { Authorization: wrong } })).status).to.equal(
      "401",
    );
    expect(h.store.lookups).to.equal(1);
  });

  it("with zero TTLs looks up every time", async () => {
    const h = harness(allKeys, { keyCacheSeconds: 0, unknownKeyCacheSeconds: 0 });
    for (let i = 0; i < 3; i++)
      await h.handle({ uri: "/simple/", headers: { Authorization: keys.valid.authorization } });
    expect(h.store.lookups).to.equal(3);
  });

  const broken: [string, unknown, string][] = [
    ["no Records", {}, "500"],
    ["an empty Records list", { Records: [] }, "500"],
    ["a record without a request", { Records: [{ cf: { config: { requestId: "r" } } }] }, "500"],
    [
      "a request without headers",
      { Records: [{ cf: { request: { method: "GET", uri: "/simple/" } } }] },
      "401",
    ],
    ["a request without a URI", { Records: [{ cf: { request: { method: "GET", headers: {} } } }] }, "500"],
  ];
  for (const [what, event, status] of broken) {
    it(`never throws: ${what} → ${status}, nothing forwarded`, async () => {
      const logs: string[] = [];
      const handler = createViewerRequestHandlerWith(TEST_HANDLER_CONFIG, {
        lookup: async () => keys.valid.record,
        now: () => NOW_SECONDS * 1000,
        log: (line) => logs.push(line),
      });
      const response = generated(await handler(event as CloudFrontRequestEvent));
      expect(response.status).to.equal(status);
      expect(logs).to.have.length(1);
    });
  }
});

describe("viewer-request handler: the upload endpoints", () => {
  const cases: {
    what: string;
    uri: string;
    method: string;
    headers?: Record<string, string | string[]>;
    forwardedAuthorization?: string[] | null;
    status?: string;
    allow?: string;
  }[] = [
    {
      what: "a twine upload",
      uri: "/legacy/",
      method: "POST",
      headers: { Authorization: "Basic dXNlcjpwYXNz" },
      forwardedAuthorization: ["Basic dXNlcjpwYXNz"],
    },
    {
      what: "an upload with a forged forwarded header",
      uri: "/legacy/",
      method: "POST",
      headers: { Authorization: "Basic dXNlcjpwYXNz", "X-Ppi-Authorization": "Basic Zm9yZ2VkOng=" },
      forwardedAuthorization: ["Basic dXNlcjpwYXNz"],
    },
    {
      what: "an upload with only a forged forwarded header",
      uri: "/legacy/",
      method: "POST",
      headers: { "X-Ppi-Authorization": "Basic Zm9yZ2VkOng=" },
      forwardedAuthorization: null,
    },
    {
      what: "an upload without credentials (the upload function answers 401)",
      uri: "/legacy/",
      method: "POST",
      forwardedAuthorization: null,
    },
    {
      what: "two Authorization headers (both moved; the function refuses them)",
      uri: "/legacy/",
      method: "POST",
      headers: { Authorization: ["Basic YTpi", "Basic Yzpk"] },
      forwardedAuthorization: ["Basic YTpi", "Basic Yzpk"],
    },
    { what: "GET /legacy/", uri: "/legacy/", method: "GET", status: "405", allow: "POST" },
    { what: "PUT /legacy/", uri: "/legacy/", method: "PUT", status: "405", allow: "POST" },
    {
      what: "uv asking for the OIDC audience",
      uri: "/_/oidc/audience",
      method: "GET",
      forwardedAuthorization: null,
    },
    {
      what: "a mint-token request",
      uri: "/_/oidc/mint-token",
      method: "POST",
      headers: { Authorization: "Bearer x" },
      forwardedAuthorization: ["Bearer x"],
    },
    { what: "POST elsewhere", uri: "/simple/", method: "POST", status: "405", allow: "GET, HEAD" },
    { what: "POST /legacy (no slash)", uri: "/legacy", method: "POST", status: "405", allow: "GET, HEAD" },
  ];
  for (const { what, uri, method, headers, forwardedAuthorization, status, allow } of cases) {
    it(`${what}: ${method} ${uri} → ${status ?? "forwarded, unauthenticated, without a lookup"}`, async () => {
      const h = harness(allKeys);
      const result = await h.handle({ uri, method, ...(headers ? { headers } : {}) });
      expect(h.store.lookups).to.equal(0);
      if (status !== undefined) {
        const response = generated(result);
        expect(response.status).to.equal(status);
        expect(headerValue(response, "allow")).to.equal(allow);
        return;
      }
      const request = forwarded(result);
      expect(request.uri).to.equal(uri);
      expect(request.method).to.equal(method);
      expect(request.headers.authorization).to.equal(undefined);
      expect(request.headers["x-ppi-authorization"]?.map((h) => h.value) ?? null).to.deep.equal(
        forwardedAuthorization,
      );
      expect(h.logs).to.deep.equal([]);
    });
  }
});
