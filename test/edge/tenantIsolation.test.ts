/**
 * Property: whatever the URI, query, Accept and key, a request is either answered at the edge
 * or forwarded to an origin key that lies inside the caller's tenant prefix, in the storage
 * layout, in a channel and a project the key may read — and nothing is forwarded without a
 * valid key. A project-restricted key never reaches another project or the root page, through
 * any spelling of a URL (encoded, non-normalized, in a channel), even after following a redirect.
 */
import * as path from "path";
import { expect } from "chai";
import fc from "fast-check";
import { CredentialRecord } from "../../domain/credentialRecords";
import { createViewerRequestHandlerWith } from "../../edge/handler";
import {
  FILENAME_PATTERN,
  isValidChannel,
  isValidProjectName,
  normalizeProjectName,
} from "../../domain/names";
import { generated, headerValue, isForwarded, viewerRequestEvent } from "../../fixtures/cloudfrontEvents";
import { NOW_SECONDS, TEST_HANDLER_CONFIG, makeKey } from "../../fixtures/edgeKeys";

const HOSTILE_SEGMENTS = [
  ...[
    "simple",
    "files",
    "main",
    "feature-x",
    "acme",
    "globex",
    "Demo_Pkg",
    "demo",
    "demo-1.0-py3-none-any.whl",
  ],
  ...[
    "x.whl.metadata",
    "..",
    ".",
    "",
    "%2e%2e",
    "%2E.",
    ".%2e",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "\\",
    "%252e%252e",
  ],
  ...[
    "%252f",
    "%00",
    "%0a",
    "%",
    "%ZZ",
    "%c0%ae%c0%ae",
    "a%2F..%2F..%2Fglobex",
    "..%2f",
    "%2e%2e%2f",
    "~",
    "%2B",
  ],
];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
  { weight: 2, arbitrary: fc.webSegment() },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => encodeURIComponent(encodeURIComponent(s))) },
);

/** URIs shaped like the URL scheme, with hostile or arbitrary parts mixed in. */
const project = fc.oneof(
  segment,
  fc.constantFrom("demo", "Demo_Pkg"),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,8}[A-Za-z0-9]$/),
);
const filename = fc.oneof(
  segment,
  fc.constant("demo-1.0-py3-none-any.whl"),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+!-]{0,12}$/).map(encodeURIComponent),
);
const channelPrefix = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("", "/feature-x") },
  { weight: 2, arbitrary: fc.constantFrom("/main", "/dev-1", "/simple", "/..", "/%2e%2e", "/Feature") },
);
const shapedUri = fc.oneof(
  channelPrefix.map((c) => `${c}/simple/`),
  fc.tuple(channelPrefix, project, fc.constantFrom("", "/")).map(([c, p, s]) => `${c}/simple/${p}${s}`),
  fc.tuple(channelPrefix, project, filename).map(([c, p, f]) => `${c}/files/${p}/${f}`),
);

const uri = fc.oneof(
  { weight: 8, arbitrary: shapedUri },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean())
      .map(([segments, slash]) => `/${segments.join("/")}${slash ? "/" : ""}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.webPath() },
);

const tenant = fc.oneof(fc.constantFrom("acme", "globex", "a", "x-1"), fc.stringMatching(/^[a-z0-9]{1,10}$/));
const scope = fc.option(fc.subarray(["main", "feature-x", "dev-1", "simple"]), { nil: undefined, freq: 2 });
const accept = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(undefined, "text/html", "application/vnd.pypi.simple.v1+json", "*/*"),
  },
  { weight: 1, arbitrary: fc.constantFrom("image/png", "text/html;q=0") },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const querystring = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("", "format=json", "format=html") },
  { weight: 1, arbitrary: fc.constantFrom("format=xml", "format=json&format=html") },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const method = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("GET", "HEAD") },
  fc.constantFrom("POST", "OPTIONS", "get"),
);

const key = makeKey();

function handlerFor(record: CredentialRecord, branchChannels: boolean) {
  return createViewerRequestHandlerWith(
    { ...TEST_HANDLER_CONFIG, branchChannels },
    {
      lookup: async (publicKey) => (publicKey === record.publicKey ? record : null),
      now: () => NOW_SECONDS * 1000,
      log: () => {},
    },
  );
}

/** Asserts that a forwarded origin URI is a layout key inside the tenant, readable by the key. */
function assertInsideTenant(originUri: string, record: CredentialRecord): void {
  expect(originUri.startsWith(`/${record.tenant}/`), originUri).to.equal(true);
  // S3 decodes the path once; what it decodes to is the object key.
  const segments = originUri.slice(1).split("/").map(decodeURIComponent);
  const objectKey = segments.join("/");
  expect(path.posix.normalize(`/${objectKey}`)).to.equal(`/${objectKey}`);
  for (const s of segments) {
    // Only printable ASCII without separators or escapes may reach an object key.
    expect(
      /^[\x21-\x7e]+$/.test(s) && !/[/\\%]/.test(s) && s !== "." && s !== "..",
      JSON.stringify(s),
    ).to.equal(true);
  }
  const [tenantSegment, channel, area, ...rest] = segments;
  expect(tenantSegment).to.equal(record.tenant);
  expect(isValidChannel(channel), channel).to.equal(true);
  if (record.channels) expect(record.channels).to.include(channel);
  if (record.projects) {
    // The root page (`simple/index.*`) lists every project: never forwarded for such a key.
    expect(rest.length, objectKey).to.equal(2);
    expect(record.projects, objectKey).to.include(rest[0]);
  }
  if (area === "simple") {
    const page = rest[rest.length - 1];
    expect(["index.html", "index.json"]).to.include(page);
    expect(rest.length).to.be.oneOf([1, 2]);
    if (rest.length === 2) expect(normalizeProjectName(rest[0])).to.equal(rest[0]);
  } else {
    expect(area).to.equal("files");
    expect(rest).to.have.length(2);
    expect(isValidProjectName(rest[0]) && normalizeProjectName(rest[0]) === rest[0]).to.equal(true);
    expect(FILENAME_PATTERN.test(rest[1]), rest[1]).to.equal(true);
  }
}

describe("tenant isolation (property)", () => {
  it("forwards only to keys inside the caller's tenant and channel scope", async () => {
    let forwardedCount = 0;
    await fc.assert(
      fc.asyncProperty(
        tenant,
        scope,
        uri,
        querystring,
        accept,
        method,
        fc.boolean(),
        async (t, channels, u, q, a, m, branches) => {
          const record: CredentialRecord = { ...key.record, tenant: t, ...(channels ? { channels } : {}) };
          const headers: Record<string, string> = { Authorization: key.authorization };
          if (a !== undefined) headers.Accept = a;
          const result = await handlerFor(
            record,
            branches,
          )(viewerRequestEvent({ uri: u, querystring: q, method: m, headers }));
          if (!isForwarded(result)) return;
          forwardedCount++;
          assertInsideTenant(result.uri, record);
          expect(result.querystring).to.equal("");
          expect(result.headers.authorization).to.equal(undefined);
        },
      ),
      { numRuns: 5000 },
    );
    // The generators must reach the forwarding path often enough for the property to mean something.
    expect(forwardedCount).to.be.greaterThan(100);
  });

  it("one long-lived handler (its route, origin, format and verified-secret memos warm) serving many tenants forwards each request into its own caller's tenant only", async () => {
    const records = ["acme", "globex", "a", "x-1"].map((t) => {
      const k = makeKey({ tenant: t });
      return { ...k, record: { ...k.record } };
    });
    const byKey = new Map(records.map((k) => [k.publicKey, k.record]));
    const shared = createViewerRequestHandlerWith(
      { ...TEST_HANDLER_CONFIG, branchChannels: true },
      {
        lookup: async (publicKey) => byKey.get(publicKey) ?? null,
        now: () => NOW_SECONDS * 1000,
        log: () => {},
      },
    );
    // A few URIs over and over, so that every memo is hit by every tenant in turn.
    const uris = fc.sample(uri, 40);
    let forwardedCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(records.length - 1), fc.constantFrom(...uris), accept, async (i, u, a) => {
        const caller = records[i];
        const headers: Record<string, string> = { Authorization: caller.authorization };
        if (a !== undefined) headers.Accept = a;
        const result = await shared(viewerRequestEvent({ uri: u, headers }));
        if (!isForwarded(result)) return;
        forwardedCount++;
        assertInsideTenant(result.uri, caller.record);
      }),
      { numRuns: 4000 },
    );
    expect(forwardedCount).to.be.greaterThan(100);
  });

  it("forwards nothing without the key's exact credentials", async () => {
    const other = makeKey();
    const authorization = fc.oneof(
      fc.constant(other.authorization),
      fc.constant(`Basic ${Buffer.from(`${key.publicKey}:${other.secretKey}`).toString("base64")}`),
      fc
        .string({ maxLength: 60 })
        .map((s) => `Basic ${Buffer.from(`${key.publicKey}:${s}`).toString("base64")}`),
      fc.string({ maxLength: 120 }),
      fc.base64String({ maxLength: 120 }).map((s) => `Basic ${s}`),
    );
    await fc.assert(
      fc.asyncProperty(uri, authorization, async (u, auth) => {
        const result = await handlerFor(
          key.record,
          true,
        )(viewerRequestEvent({ uri: u, headers: { Authorization: auth } }));
        expect(isForwarded(result)).to.equal(false);
      }),
      { numRuns: 1000 },
    );
  });

  /** Projects of one tenant whose names are close: a restriction must tell each from the others. */
  const PROJECTS = ["demo", "demo-pkg", "other-lib", "demo2"];

  /** A spelling of a project name that may or may not normalize to it: case, separators, escapes. */
  function spelling(name: string) {
    const choice = fc.tuple(fc.boolean(), fc.constantFrom("-", "_", ".", "--", "_.", "-_-"), fc.nat(3));
    return fc.array(choice, { minLength: name.length, maxLength: name.length }).map((choices) =>
      [...name]
        .map((c, i) => {
          const [upper, separator, escape] = choices[i];
          const plain = c === "-" ? separator : upper ? c.toUpperCase() : c;
          const hex = (ch: string) => ch.charCodeAt(0).toString(16).padStart(2, "0");
          if (escape === 1) return [...plain].map((ch) => `%${hex(ch).toUpperCase()}`).join("");
          if (escape === 2) return [...plain].map((ch) => `%${hex(ch)}`).join("");
          return plain;
        })
        .join(""),
    );
  }
  const anyProjectSpelling = fc.constantFrom(...PROJECTS).chain(spelling);
  const restrictedChannel = fc.constantFrom("", "/feature-x", "/main", "/%66eature-x", "/%6Dain");
  const projectUri = fc.oneof(
    fc.tuple(restrictedChannel, fc.constantFrom("/simple/", "/simple", "/%73imple/")).map(([c, r]) => c + r),
    fc
      .tuple(restrictedChannel, anyProjectSpelling, fc.constantFrom("", "/"))
      .map(([c, p, s]) => `${c}/simple/${p}${s}`),
    fc
      .tuple(
        restrictedChannel,
        anyProjectSpelling,
        fc.constantFrom("demo-1.0.tar.gz", "demo_pkg-1.0-py3-none-any.whl"),
      )
      .map(([c, p, f]) => `${c}/files/${p}/${f}`),
  );

  it("forwards a project-restricted key only to its own projects, following redirects, through any spelling", async () => {
    let forwardedCount = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(PROJECTS, { minLength: 1 }),
        fc.constantFrom<"read" | "publish">("read", "publish"),
        scope,
        fc.oneof({ weight: 4, arbitrary: projectUri }, { weight: 1, arbitrary: uri }),
        accept,
        async (projects, keyScope, channels, u, a) => {
          const record: CredentialRecord = {
            ...key.record,
            scope: keyScope,
            projects,
            ...(channels ? { channels } : {}),
          };
          const headers: Record<string, string> = { Authorization: key.authorization };
          if (a !== undefined) headers.Accept = a;
          const handler = handlerFor(record, true);
          let result = await handler(viewerRequestEvent({ uri: u, headers }));
          // A redirect is followed once (clients do): what it leads to must hold the property too.
          if (!isForwarded(result) && generated(result).status === "301") {
            const [location, query] = headerValue(generated(result), "location")!.split("?");
            result = await handler(viewerRequestEvent({ uri: location, querystring: query ?? "", headers }));
            expect(isForwarded(result) || generated(result).status !== "301", "a second redirect").to.equal(
              true,
            );
          }
          if (!isForwarded(result)) return;
          forwardedCount++;
          assertInsideTenant(result.uri, record);
        },
      ),
      { numRuns: 5000 },
    );
    expect(forwardedCount).to.be.greaterThan(300);
  });
});
