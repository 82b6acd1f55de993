import { expect } from "chai";
import {
  ROUTE_MEMO_ENTRIES,
  Route,
  RouteResult,
  canonicalPath,
  createRouteParser,
  encodePath,
  parseRoute,
} from "../../edge/route";

const route = (r: Route, canonical = true): RouteResult => ({ kind: "route", route: r, canonical });
const malformed = (reason: string): RouteResult => ({ kind: "malformed", reason }) as RouteResult;
const notFound: RouteResult = { kind: "not-found" };

describe("parseRoute", () => {
  const withChannels: [string, RouteResult][] = [
    ["/simple/", route({ kind: "root", channel: "main" })],
    ["/simple", route({ kind: "root", channel: "main" }, false)],
    ["/simple/requests/", route({ kind: "project", channel: "main", project: "requests" })],
    ["/simple/requests", route({ kind: "project", channel: "main", project: "requests" }, false)],
    [
      "/simple/Zope.Interface/",
      route({ kind: "project", channel: "main", project: "zope-interface" }, false),
    ],
    // Percent-encoding other than the one the pages link with is not canonical (a 301 follows):
    // CloudFront chooses a behaviour on the raw path, so `/%66iles/…` must never be served as is.
    ["/simple/%72equests/", route({ kind: "project", channel: "main", project: "requests" }, false)],
    ["/%73imple/", route({ kind: "root", channel: "main" }, false)],
    ["/%73imple/a/", route({ kind: "project", channel: "main", project: "a" }, false)],
    ["/%66iles/a/f.whl", route({ kind: "file", channel: "main", project: "a", filename: "f.whl" }, false)],
    ["/fil%65s/a/f.whl", route({ kind: "file", channel: "main", project: "a", filename: "f.whl" }, false)],
    ["/files/%61/f.whl", route({ kind: "file", channel: "main", project: "a", filename: "f.whl" }, false)],
    ["/files/a/f%2Ewhl", route({ kind: "file", channel: "main", project: "a", filename: "f.whl" }, false)],
    [
      "/%64ev-1/files/a/f.whl",
      route({ kind: "file", channel: "dev-1", project: "a", filename: "f.whl" }, false),
    ],
    ["/dev-1/%73imple/", route({ kind: "root", channel: "dev-1" }, false)],
    [
      "/files/a/a-1.0+cpu-py3-none-any.whl",
      route({ kind: "file", channel: "main", project: "a", filename: "a-1.0+cpu-py3-none-any.whl" }, false),
    ],
    [
      "/files/a/a-1.0%2bcpu-py3-none-any.whl",
      route({ kind: "file", channel: "main", project: "a", filename: "a-1.0+cpu-py3-none-any.whl" }, false),
    ],
    [
      "/files/a/a-1%212.0.whl",
      route({ kind: "file", channel: "main", project: "a", filename: "a-1!2.0.whl" }, false),
    ],
    ["/files/a/a-1!2.0.whl", route({ kind: "file", channel: "main", project: "a", filename: "a-1!2.0.whl" })],
    [
      "/files/a/a-1.0.tar.gz",
      route({ kind: "file", channel: "main", project: "a", filename: "a-1.0.tar.gz" }),
    ],
    [
      "/files/A_b/x.whl.metadata",
      route({ kind: "file", channel: "main", project: "a-b", filename: "x.whl.metadata" }, false),
    ],
    [
      "/files/a/a-1.0%2Bcpu-py3-none-any.whl",
      route({ kind: "file", channel: "main", project: "a", filename: "a-1.0+cpu-py3-none-any.whl" }),
    ],
    ["/dev-1/simple/", route({ kind: "root", channel: "dev-1" })],
    ["/dev-1/simple/a/", route({ kind: "project", channel: "dev-1", project: "a" })],
    ["/dev-1/files/a/f.whl", route({ kind: "file", channel: "dev-1", project: "a", filename: "f.whl" })],
    ["/main/simple/", route({ kind: "root", channel: "main" }, false)],
    ["/", notFound],
    ["/index.html", notFound],
    ["/simple/a/b", notFound],
    ["/simple/a/b/", notFound],
    ["/files/a", notFound],
    ["/files/a/", notFound],
    ["/files/a/f.whl/", notFound],
    ["/files/a/f.whl/x", notFound],
    ["/dev-1/", notFound],
    ["/dev-1/other/", notFound],
    ["/dev-1/simple/a/b/c", notFound],
    ["simple/", malformed("uri-not-absolute")],
    [`/simple/${"a".repeat(1020)}/`, malformed("uri-too-long")],
    ["/simple/a\\b/", malformed("backslash")],
    ["/simple/a%5Cb/", malformed("backslash")],
    ["/simple/a\u0000/", malformed("control-character")],
    ["/simple/a%0d%0aX-Injected:%201/", malformed("control-character")],
    ["/simple/a%7F/", malformed("control-character")],
    ["//simple/", malformed("empty-segment")],
    ["/simple//a/", malformed("empty-segment")],
    ["/simple/%ZZ/", malformed("bad-encoding")],
    ["/simple/%C0%AF/", malformed("bad-encoding")],
    ["/files/a%2Fb/c", malformed("encoded-slash")],
    ["/files/a%2fb/c", malformed("encoded-slash")],
    ["/simple/../", malformed("dot-segment")],
    ["/simple/./", malformed("dot-segment")],
    ["/simple/%2E%2E/", malformed("dot-segment")],
    ["/files/a/%2e", malformed("dot-segment")],
    ["/simple/%252e%252e/", malformed("bad-project")],
    ["/simple/-a-/", malformed("bad-project")],
    ["/simple/a b/", malformed("bad-project")],
    ["/simple/caf%C3%A9/", malformed("bad-project")],
    ["/files/-a/f.whl", malformed("bad-project")],
    ["/files/a/.hidden", malformed("bad-filename")],
    ["/files/a/f%20g.whl", malformed("bad-filename")],
    ["/files/a/f%25.whl", malformed("bad-filename")],
    ["/Dev/simple/", malformed("bad-channel")],
    ["/files/simple/x", route({ kind: "file", channel: "main", project: "simple", filename: "x" })],
    ["/dev_1/simple/", malformed("bad-channel")],
  ];
  for (const [uri, expected] of withChannels) {
    it(`${JSON.stringify(uri.length > 60 ? uri.slice(0, 60) + "…" : uri)} → ${JSON.stringify(expected)}`, () => {
      expect(parseRoute(uri, true)).to.deep.equal(expected);
    });
  }

  const withoutChannels: [string, RouteResult][] = [
    ["/simple/", route({ kind: "root", channel: "main" })],
    ["/dev-1/simple/", notFound],
    ["/main/simple/", notFound],
    ["/Dev/simple/", notFound],
  ];
  for (const [uri, expected] of withoutChannels) {
    it(`without branch channels: ${uri} → ${expected.kind}`, () => {
      expect(parseRoute(uri, false)).to.deep.equal(expected);
    });
  }

  it("createRouteParser answers as parseRoute, remembered or not, past its memo's size, per branchChannels", () => {
    const withMemo = createRouteParser(true);
    const withoutMemo = createRouteParser(false);
    const filler = Array.from({ length: ROUTE_MEMO_ENTRIES + 1 }, (_, i) => `/simple/p${i}/`);
    for (const round of [1, 2]) {
      for (const [uri, expected] of withChannels)
        expect(withMemo(uri), `${uri} (${round})`).to.deep.equal(expected);
      for (const [uri, expected] of withoutChannels) expect(withoutMemo(uri), uri).to.deep.equal(expected);
      for (const uri of filler) expect(withMemo(uri)).to.deep.equal(parseRoute(uri, true));
    }
  });
});

describe("canonicalPath and encodePath", () => {
  const cases: [Route, string, string][] = [
    [{ kind: "root", channel: "main" }, "/simple/", "/simple/"],
    [{ kind: "project", channel: "dev-1", project: "a-b" }, "/dev-1/simple/a-b/", "/dev-1/simple/a-b/"],
    [
      { kind: "file", channel: "main", project: "a", filename: "a-1+x.whl" },
      "/files/a/a-1+x.whl",
      "/files/a/a-1%2Bx.whl",
    ],
  ];
  for (const [r, path, encoded] of cases) {
    it(`${r.kind} in ${r.channel} → ${encoded}`, () => {
      expect(canonicalPath(r)).to.equal(path);
      expect(encodePath(path)).to.equal(encoded);
    });
  }
});
