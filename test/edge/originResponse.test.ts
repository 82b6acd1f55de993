import { expect } from "chai";
import fc from "fast-check";
import type { CloudFrontResponseEvent, CloudFrontResponseResult, CloudFrontResultResponse } from "aws-lambda";
import { normalizeProjectName } from "../../domain/names";
import { renderReservedNames } from "../../domain/reservedNames";
import { projectPageKey, reservedNamesKey } from "../../domain/storageLayout";
import { createCachedLookup } from "../../edge/credentialLookup";
import { createViewerRequestHandlerWith } from "../../edge/handler";
import {
  OriginResponseConfig,
  createOriginResponseHandlerWith,
  fallThroughEnabled,
  originResponseConfigProblems,
  originResponseHandlerFactory,
} from "../../edge/originResponse";
import { headerValue, isForwarded, viewerRequestEvent } from "../../fixtures/cloudfrontEvents";
import { NOW_SECONDS, TEST_HANDLER_CONFIG, makeKey } from "../../fixtures/edgeKeys";
import {
  FakeObjects,
  TEST_BUCKET,
  TEST_ORIGIN_RESPONSE_CONFIG,
  TEST_UPSTREAM,
  originResponseEvent,
} from "../../fixtures/originResponseEvents";

interface Harness {
  readonly objects: FakeObjects;
  readonly logs: string[];
  /** The buckets the handler read from: the request's S3 origin. */
  readonly buckets: string[];
  clockMs: number;
  readonly handler: (event: CloudFrontResponseEvent) => Promise<CloudFrontResponseResult>;
  answer(uri: string, status: number): Promise<CloudFrontResponseResult>;
}

function harness(config: Partial<OriginResponseConfig> = {}): Harness {
  const objects = new FakeObjects();
  const logs: string[] = [];
  const h: Harness = {
    objects,
    logs,
    buckets: [],
    clockMs: NOW_SECONDS * 1000,
    handler: createOriginResponseHandlerWith(
      { ...TEST_ORIGIN_RESPONSE_CONFIG, ...config },
      {
        objects: (bucket) => {
          h.buckets.push(bucket);
          return objects;
        },
        now: () => h.clockMs,
        log: (line) => logs.push(line),
      },
    ),
    answer: (uri, status) => h.handler(originResponseEvent(uri, status)),
  };
  return h;
}

/** Status and Location of what the handler returned (the origin's own response when untouched). */
function outcome(result: CloudFrontResponseResult): { status: string; location?: string } {
  const response = result as CloudFrontResultResponse;
  const location = headerValue(response, "location");
  return location === undefined
    ? { status: String(response.status) }
    : { status: String(response.status), location };
}

describe("origin-response: which answers fall through", () => {
  const cases: [string, string, number, { status: string; location?: string }][] = [
    [
      "missing main project page, HTML",
      "/acme/main/simple/requests/index.html",
      404,
      { status: "302", location: `${TEST_UPSTREAM}requests/` },
    ],
    [
      "missing main project page, JSON",
      "/acme/main/simple/requests/index.json",
      404,
      { status: "302", location: `${TEST_UPSTREAM}requests/` },
    ],
    ["a page the tenant has", "/acme/main/simple/requests/index.html", 200, { status: "200" }],
    [
      "a refused read (403 is not a missing page)",
      "/acme/main/simple/requests/index.html",
      403,
      { status: "403" },
    ],
    ["a missing file", "/acme/main/files/requests/requests-2.0-py3-none-any.whl", 404, { status: "404" }],
    [
      "a missing .metadata",
      "/acme/main/files/requests/requests-2.0-py3-none-any.whl.metadata",
      404,
      { status: "404" },
    ],
    ["a missing root page", "/acme/main/simple/index.html", 404, { status: "404" }],
    ["an undecodable URI", "/acme/main/simple/%ZZ/index.html", 404, { status: "404" }],
  ];
  for (const [what, uri, status, expected] of cases) {
    it(`${what}: ${status} → ${expected.status}`, async () => {
      const h = harness();
      expect(outcome(await h.answer(uri, status))).to.deep.equal(expected);
      // A page the tenant has, and everything but a missing project page, needs no lookup.
      if (expected.status !== "302") expect(h.objects.reads).to.deep.equal([]);
    });
  }

  // With the upload function behind the distribution, 400 and 403 are no custom error responses:
  // S3's bodies of them (XML naming request ids, sometimes keys) are replaced here, on pages and files.
  for (const [status, uri] of [
    [400, "/acme/main/simple/requests/index.html"],
    [403, "/acme/main/simple/requests/index.json"],
    [403, "/acme/main/files/requests/requests-2.0-py3-none-any.whl"],
  ] as const) {
    it(`S3's ${status} for ${uri} keeps its status and gets the edge's fixed body, with no lookup`, async () => {
      const h = harness();
      const result = (await h.answer(uri, status)) as CloudFrontResultResponse;
      expect(result.status).to.equal(String(status));
      expect(result.body).to.equal(status === 400 ? "400 Bad Request\n" : "403 Forbidden\n");
      expect(headerValue(result, "content-type")).to.equal("text/plain; charset=utf-8");
      expect(headerValue(result, "cache-control")).to.equal("no-store");
      expect(h.objects.reads).to.deep.equal([]);
    });
  }

  it("S3's other errors and successes pass as S3 sent them (the custom error responses handle 404, 416, 500, 503)", async () => {
    for (const status of [200, 416, 500, 503]) {
      const event = originResponseEvent("/acme/main/files/requests/requests-2.0-py3-none-any.whl", status);
      const response = event.Records[0].cf.response;
      expect(await harness().handler(event)).to.equal(response);
    }
  });

  it("reads the reserved list from the request's S3 origin, and answers 503 when the origin is not S3", async () => {
    const h = harness();
    await h.answer("/acme/main/simple/requests/index.html", 404);
    expect(h.buckets).to.deep.equal([TEST_BUCKET]);
    const event = originResponseEvent("/acme/main/simple/requests/index.html", 404);
    event.Records[0].cf.request.origin = {
      custom: {
        customHeaders: {},
        domainName: "example.com",
        keepaliveTimeout: 5,
        path: "",
        port: 443,
        protocol: "https",
        readTimeout: 30,
        sslProtocols: ["TLSv1.2"],
      },
    };
    expect(outcome(await h.handler(event))).to.deep.equal({ status: "503" });
    expect(JSON.parse(h.logs[0])).to.include({ status: 503, reason: "origin-not-s3" });
  });

  it("the redirect is a 302 with the page's cache lifetime, no body worth reading and no credentials", async () => {
    const result = (await harness().answer(
      "/acme/main/simple/requests/index.html",
      404,
    )) as CloudFrontResultResponse;
    expect(result.status).to.equal("302");
    expect(headerValue(result, "cache-control")).to.equal("max-age=60");
    expect(headerValue(result, "location")).to.equal("https://pypi.org/simple/requests/");
    expect(Object.keys(result.headers!).sort()).to.deep.equal(["cache-control", "content-type", "location"]);
  });
});

describe("origin-response: names the tenant holds never fall through", () => {
  it("an exact or glob reservation keeps the 404; other names still fall through", async () => {
    const h = harness();
    h.objects.objects.set(reservedNamesKey("acme"), renderReservedNames(["acme-*", "secret-tool"]));
    const page = (project: string) => `/${projectPageKey("acme", "main", project, "html")}`;
    expect(outcome(await h.answer(page("acme-billing"), 404))).to.deep.equal({ status: "404" });
    expect(outcome(await h.answer(page("secret-tool"), 404))).to.deep.equal({ status: "404" });
    expect(outcome(await h.answer(page("secret-tools"), 404))).to.deep.equal({
      status: "302",
      location: `${TEST_UPSTREAM}secret-tools/`,
    });
    // Another tenant's reservations are not this one's.
    expect(
      outcome(await h.answer(`/${projectPageKey("globex", "main", "acme-billing", "html")}`, 404)),
    ).to.deep.equal({
      status: "302",
      location: `${TEST_UPSTREAM}acme-billing/`,
    });
  });

  it("a branch channel does not fall through for a name the main channel has", async () => {
    const h = harness();
    h.objects.objects.set(projectPageKey("acme", "main", "billing", "json"), "{}");
    expect(
      outcome(await h.answer(`/${projectPageKey("acme", "dev-1", "billing", "json")}`, 404)),
    ).to.deep.equal({
      status: "404",
    });
    expect(
      outcome(await h.answer(`/${projectPageKey("acme", "dev-1", "requests", "json")}`, 404)),
    ).to.deep.equal({
      status: "302",
      location: `${TEST_UPSTREAM}requests/`,
    });
  });

  it("reads the reserved list once per tenant per 30 s; a new reservation holds after that", async () => {
    const h = harness();
    const uri = `/${projectPageKey("acme", "main", "acme-new", "html")}`;
    expect(outcome(await h.answer(uri, 404)).status).to.equal("302");
    h.objects.objects.set(reservedNamesKey("acme"), renderReservedNames(["acme-*"]));
    h.clockMs += 29_999;
    expect(outcome(await h.answer(uri, 404)).status).to.equal("302");
    // Each HTML 404 also asks whether the authoritative JSON page exists; the list is read once.
    const listReads = () => h.objects.reads.filter((read) => read === reservedNamesKey("acme"));
    expect(listReads()).to.have.length(1);
    h.clockMs += 1;
    expect(outcome(await h.answer(uri, 404)).status).to.equal("404");
    expect(listReads()).to.have.length(2);
  });

  const failures: [string, (objects: FakeObjects) => void][] = [
    [
      "the list cannot be read",
      (objects) => (objects.failing = Object.assign(new Error("x"), { name: "TimeoutError" })),
    ],
    ["the list is malformed", (objects) => objects.objects.set(reservedNamesKey("acme"), '{"reserved":"*"}')],
  ];
  for (const [what, breakIt] of failures) {
    it(`answers 503 (never a redirect) when ${what}, and caches nothing`, async () => {
      const h = harness();
      breakIt(h.objects);
      const result = await h.answer(`/${projectPageKey("acme", "main", "requests", "html")}`, 404);
      expect(outcome(result)).to.deep.equal({ status: "503" });
      expect(headerValue(result as CloudFrontResultResponse, "cache-control")).to.equal("no-store");
      expect(JSON.parse(h.logs[0])).to.include({
        event: "denied",
        status: 503,
        reason: "names-lookup-failed",
      });
      h.objects.failing = undefined;
      h.objects.objects.delete(reservedNamesKey("acme"));
      expect(
        outcome(await h.answer(`/${projectPageKey("acme", "main", "requests", "html")}`, 404)).status,
      ).to.equal("302");
    });
  }
});

describe("origin-response: upstream per stack and per tenant", () => {
  const cases: [string, Partial<OriginResponseConfig>, string, string | undefined][] = [
    ["stack upstream", {}, "acme", `${TEST_UPSTREAM}requests/`],
    ["stack off", { upstreamIndex: null }, "acme", undefined],
    ["tenant off over a stack upstream", { tenantUpstreamIndexes: { acme: null } }, "acme", undefined],
    [
      "another tenant's override",
      { tenantUpstreamIndexes: { globex: null } },
      "acme",
      `${TEST_UPSTREAM}requests/`,
    ],
    [
      "tenant upstream over stack off",
      { upstreamIndex: null, tenantUpstreamIndexes: { acme: "https://mirror.example.com/simple/" } },
      "acme",
      "https://mirror.example.com/simple/requests/",
    ],
  ];
  for (const [what, config, tenant, location] of cases) {
    it(`${what}: ${location ?? "404"}`, async () => {
      const h = harness(config);
      const result = outcome(await h.answer(`/${projectPageKey(tenant, "main", "requests", "html")}`, 404));
      expect(result).to.deep.equal(location ? { status: "302", location } : { status: "404" });
      if (!location) expect(h.objects.reads).to.deep.equal([]);
    });
  }

  it("fallThroughEnabled: only when some tenant has an upstream", () => {
    expect(fallThroughEnabled({ upstreamIndex: null, tenantUpstreamIndexes: {} })).to.equal(false);
    expect(fallThroughEnabled({ upstreamIndex: null, tenantUpstreamIndexes: { a: null } })).to.equal(false);
    expect(fallThroughEnabled({ upstreamIndex: null, tenantUpstreamIndexes: { a: TEST_UPSTREAM } })).to.equal(
      true,
    );
    expect(fallThroughEnabled({ upstreamIndex: TEST_UPSTREAM, tenantUpstreamIndexes: {} })).to.equal(true);
  });
});

describe("origin-response: config validation", () => {
  const cases: [string, Partial<OriginResponseConfig>, string[]][] = [
    ["the test config", {}, []],
    ["no upstream", { upstreamIndex: null }, []],
    [
      "bad region",
      { bucketRegion: "mars" },
      ['bucketRegion "mars" is not an AWS region name such as eu-west-1'],
    ],
    [
      "plain http upstream",
      { upstreamIndex: "http://pypi.org/simple/" },
      [
        'upstreamIndex "http://pypi.org/simple/" must be an https URL of a simple index ending in /, such as https://pypi.org/simple/, without credentials, query or fragment, or null for no fall-through',
      ],
    ],
    [
      "loopback http in the sandbox",
      { upstreamIndex: "http://127.0.0.1:9/simple/", allowLoopbackUpstream: true },
      [],
    ],
    [
      "a bad tenant",
      { tenantUpstreamIndexes: { "Bad Tenant": null } },
      ['tenantUpstreamIndexes names "Bad Tenant", not a tenant'],
    ],
  ];
  for (const [what, config, problems] of cases) {
    it(what, () =>
      expect(originResponseConfigProblems({ ...TEST_ORIGIN_RESPONSE_CONFIG, ...config })).to.deep.equal(
        problems,
      ),
    );
  }
  it("the factory throws on an invalid config", () => {
    expect(() =>
      originResponseHandlerFactory({ ...TEST_ORIGIN_RESPONSE_CONFIG, upstreamIndex: "ftp://x/" }),
    ).to.throw(/origin-response handler: invalid handler config:\n {2}- upstreamIndex "ftp:\/\/x\/"/);
  });
});

describe("origin-response after viewer-request: a name the tenant has is never redirected (property)", () => {
  const key = makeKey();
  const viewer = createViewerRequestHandlerWith(TEST_HANDLER_CONFIG, {
    lookup: createCachedLookup(
      { get: async (pk) => (pk === key.publicKey ? key.record : null) },
      { validTtlMs: 60_000, unknownTtlMs: 0 },
    ),
    now: () => NOW_SECONDS * 1000,
    log: () => undefined,
  });

  /** What a client ends with for `path`: following same-host 301s (as pip and uv do), stopping at anything else. */
  async function resolve(path: string, accept: string, bucket: FakeObjects, handler: Harness["handler"]) {
    for (let hop = 0; hop < 3; hop++) {
      const headers = { Authorization: key.authorization, Accept: accept };
      const result = await viewer(viewerRequestEvent({ uri: path, headers }));
      if (isForwarded(result)) {
        const stored = bucket.objects.has(decodeURIComponent(result.uri.slice(1)));
        return outcome(await handler(originResponseEvent(result.uri, stored ? 200 : 404)));
      }
      const answer = outcome(result);
      if (answer.status !== "301") return answer;
      path = answer.location!;
    }
    throw new Error(`redirect loop at ${path}`);
  }

  const name = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,15}[a-z0-9])?$/).filter((n) => !n.includes("--"));
  /** A spelling of a normalized name that PEP 503 normalizes back to it. */
  const spelling = (normalized: string) =>
    fc
      .array(fc.tuple(fc.boolean(), fc.constantFrom("-", "_", ".", "--", "_-.")), {
        minLength: normalized.length,
        maxLength: normalized.length,
      })
      .map((choices) =>
        [...normalized]
          .map((c, i) => (c === "-" ? choices[i][1] : choices[i][0] ? c.toUpperCase() : c))
          .join(""),
      );
  const channel = fc.constantFrom("main", "dev-1");

  it("published on the channel or on main, or reserved: never sent upstream; anything else: sent to its normalized name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
        fc.nat(3),
        fc.constantFrom(
          "published-here",
          "published-json-only",
          "published-on-main",
          "main-json-only",
          "reserved-exact",
          "reserved-glob",
          "unknown",
        ),
        channel,
        fc.constantFrom("html" as const, "json" as const),
        fc.context(),
        async (names, pick, holding, ch, format, ctx) => {
          const target = names[pick % names.length];
          const h = harness();
          // A publish writes both pages, the JSON first: a crash between them leaves the JSON alone.
          const publishPages = (where: string, project: string, formats: readonly ("html" | "json")[]) => {
            for (const f of formats) h.objects.objects.set(projectPageKey("acme", where, project, f), "{}");
          };
          for (const other of names.filter((n) => n !== target)) publishPages(ch, other, ["json", "html"]);
          if (holding === "published-here") publishPages(ch, target, ["json", "html"]);
          if (holding === "published-json-only") publishPages(ch, target, ["json"]);
          if (holding === "published-on-main") publishPages("main", target, ["json", "html"]);
          if (holding === "main-json-only") publishPages("main", target, ["json"]);
          if (holding === "reserved-exact")
            h.objects.objects.set(reservedNamesKey("acme"), renderReservedNames([target]));
          if (holding === "reserved-glob")
            h.objects.objects.set(reservedNamesKey("acme"), renderReservedNames([`${target.slice(0, 1)}*`]));
          const variant = fc.sample(spelling(target), { numRuns: 1, seed: target.length + pick })[0];
          expect(normalizeProjectName(variant)).to.equal(target);
          ctx.log(`${holding} ${ch} ${variant}`);
          const prefix = ch === "main" ? "" : `/${ch}`;
          const accept = format === "json" ? "application/vnd.pypi.simple.v1+json" : "text/html";
          const answer = await resolve(`${prefix}/simple/${variant}/`, accept, h.objects, h.handler);
          if (holding === "unknown") {
            expect(answer).to.deep.equal({ status: "302", location: `${TEST_UPSTREAM}${target}/` });
          } else {
            expect(answer.location).to.equal(undefined);
            expect(answer.status).to.be.oneOf(["200", "404"]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
