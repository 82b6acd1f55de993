import { spawnSync } from "child_process";
import { expect } from "chai";
import { ImmutableObjectCache, isImmutable } from "../../sandbox/cdnCache";
import { eventHeaders, generatedResponseProblem, resultProblem } from "../../sandbox/cloudfront";
import { envFileText, shellQuote } from "../../sandbox/envFile";
import { resolvePort } from "../../sandbox/port";
import { claimProcessEnv } from "../../sandbox/processEnv";
import { objectKeyOf } from "../../sandbox/s3Origin";

describe("sandbox: port from --port and PORT", () => {
  const cases: [string | undefined, string | undefined, number][] = [
    [undefined, undefined, 8080],
    [undefined, "", 8080],
    [undefined, "9000", 9000],
    ["0", "9000", 0],
    ["65535", undefined, 65535],
  ];
  for (const [flag, env, expected] of cases) {
    it(`--port ${flag} PORT=${env} → ${expected}`, () => expect(resolvePort(flag, env)).to.equal(expected));
  }
  const bad: [string | undefined, string | undefined, string][] = [
    ["abc", undefined, '--port "abc" is not a port number; use an integer from 0 to 65535'],
    ["65536", undefined, '--port "65536" is not a port number'],
    ["-1", undefined, '--port "-1" is not a port number'],
    [undefined, "80.5", 'PORT "80.5" is not a port number'],
  ];
  for (const [flag, env, message] of bad) {
    it(`--port ${flag} PORT=${env} is refused`, () => expect(() => resolvePort(flag, env)).to.throw(message));
  }
});

describe("sandbox: .sandbox/env text", () => {
  it("writes export lines that a POSIX shell reads back exactly, whatever the value", () => {
    const env = { PLAIN: "http://127.0.0.1:1234", QUOTED: 'it\'s "odd" $HOME `x` \\ end' };
    const text = envFileText(env);
    expect(text.split("\n").filter((l) => l.startsWith("export "))).to.deep.equal([
      "export PLAIN='http://127.0.0.1:1234'",
      `export QUOTED=${shellQuote(env.QUOTED)}`,
    ]);
    const shell = spawnSync("sh", ["-c", `${text}\nprintf '%s\\n%s' "$PLAIN" "$QUOTED"`], {
      encoding: "utf8",
    });
    expect(shell.stdout).to.equal(`${env.PLAIN}\n${env.QUOTED}`);
  });

  it("refuses a name that is not a shell variable", () => {
    expect(() => envFileText({ "BAD-NAME": "x" })).to.throw('"BAD-NAME" is not a shell variable name');
  });
});

describe("sandbox: S3 key of a rewritten URI", () => {
  const cases: [string, string | undefined][] = [
    ["/demo/main/simple/index.html", "demo/main/simple/index.html"],
    ["/demo/main/files/p/a%2Bb-1.0.whl", "demo/main/files/p/a+b-1.0.whl"],
    ["/demo/main/files/p/a+b-1.0.whl", "demo/main/files/p/a+b-1.0.whl"],
    ["/bad%zz", undefined],
  ];
  for (const [uri, key] of cases) it(`${uri} → ${key}`, () => expect(objectKeyOf(uri)).to.equal(key));
});

describe("sandbox: CloudFront's checks of a generated response", () => {
  const cases: [string, Parameters<typeof generatedResponseProblem>[0], string | undefined][] = [
    [
      "a plain 401",
      { status: "401", headers: { "www-authenticate": [{ key: "WWW-Authenticate", value: "Basic" }] } },
      undefined,
    ],
    ["a 40 KB body", { status: "200", body: "x".repeat(40 * 1024) }, undefined],
    [
      "a body over 40 KB",
      { status: "200", body: "x".repeat(40 * 1024 + 1) },
      "body of 40961 bytes exceeds 40 KB",
    ],
    [
      "a base64 body over 40 KB",
      { status: "200", bodyEncoding: "base64", body: Buffer.alloc(40 * 1024 + 1).toString("base64") },
      "body of 40961 bytes exceeds 40 KB",
    ],
    ["a status that is not HTTP", { status: "99" }, "status 99 is not an HTTP status"],
    [
      "an uppercase header name",
      { status: "200", headers: { Location: [{ value: "/" }] } },
      "header name Location is not lowercase",
    ],
    [
      "a key that names another header",
      { status: "200", headers: { location: [{ key: "Host", value: "/" }] } },
      "header location key mismatch",
    ],
  ];
  for (const [name, response, problem] of cases) {
    it(`${name}: ${problem ?? "accepted"}`, () =>
      expect(generatedResponseProblem(response)).to.equal(problem));
  }
});

describe("sandbox: viewer headers in CloudFront's event shape", () => {
  it("groups repeated headers under the lowercase name and keeps the viewer's spelling", () => {
    expect(eventHeaders(["Host", "h", "X-A", "1", "x-a", "2"])).to.deep.equal({
      host: [{ key: "Host", value: "h" }],
      "x-a": [
        { key: "X-A", value: "1" },
        { key: "x-a", value: "2" },
      ],
    });
  });

  it("replaces every Accept header with the override", () => {
    expect(eventHeaders(["Accept", "a/b", "accept", "c/d"], "text/html")).to.deep.equal({
      accept: [{ key: "Accept", value: "text/html" }],
    });
  });
});

describe("sandbox: CDN cache of immutable objects", () => {
  const cases: [string | undefined, boolean][] = [
    ["max-age=31536000, immutable", true],
    ["Immutable", true],
    ["max-age=60", false],
    ["no-store", false],
    [undefined, false],
  ];
  for (const [cacheControl, expected] of cases) {
    it(`Cache-Control ${cacheControl} → ${expected ? "kept" : "not kept"}`, () =>
      expect(isImmutable(cacheControl)).to.equal(expected));
  }

  it("stays within its byte bound, evicting the least recently used object", () => {
    const cache = new ImmutableObjectCache(10, 6);
    const entry = (size: number) => ({ body: Buffer.alloc(size), headers: {} });
    cache.set("a", entry(4));
    cache.set("b", entry(4));
    cache.get("a");
    cache.set("c", entry(4));
    expect([cache.get("a"), cache.get("b"), cache.get("c")].map(Boolean)).to.deep.equal([true, false, true]);
    cache.set("big", entry(7));
    expect(cache.get("big")).to.equal(undefined);
    expect(cache.size).to.equal(2);
  });
});

describe("sandbox: CloudFront's checks of a forwarded request", () => {
  const request = { clientIp: "127.0.0.1", method: "GET", querystring: "", headers: {} };
  const cases: [string, Parameters<typeof resultProblem>[0], string | undefined][] = [
    ["a rewritten request", { ...request, uri: "/demo/main/simple/index.json" }, undefined],
    [
      "a relative uri",
      { ...request, uri: "demo/main/simple/index.json" },
      'the rewritten uri "demo/main/simple/index.json" does not start with /',
    ],
    ["nothing", undefined, "it returned neither a request nor a response"],
    ["null", null, "it returned neither a request nor a response"],
  ];
  for (const [name, result, problem] of cases) {
    it(`${name}: ${problem ?? "accepted"}`, () => expect(resultProblem(result)).to.equal(problem));
  }
  it("a header that is not a list: refused", () => {
    const headers = { "content-type": "text/html" } as unknown as Record<string, { value: string }[]>;
    expect(resultProblem({ status: "200", headers })).to.equal(
      "header content-type is not a list of { key, value } strings",
    );
  });
});

describe("sandbox: the process environment the edge bundle reads", () => {
  it("sets and removes variables while claimed, restores them after, and allows one claim at a time", () => {
    const names = ["PPI_TEST_SET", "PPI_TEST_REMOVED", "PPI_TEST_NEW"];
    const before = names.map((n) => process.env[n]);
    process.env.PPI_TEST_SET = "old";
    process.env.PPI_TEST_REMOVED = "present";
    delete process.env.PPI_TEST_NEW;
    try {
      const release = claimProcessEnv({
        PPI_TEST_SET: "new",
        PPI_TEST_REMOVED: undefined,
        PPI_TEST_NEW: "x",
      });
      expect(names.map((n) => process.env[n])).to.deep.equal(["new", undefined, "x"]);
      expect(() => claimProcessEnv({})).to.throw("a sandbox is already running in this process");
      release();
      expect(names.map((n) => process.env[n])).to.deep.equal(["old", "present", undefined]);
      claimProcessEnv({})();
    } finally {
      names.forEach((n, i) =>
        before[i] === undefined ? delete process.env[n] : (process.env[n] = before[i]),
      );
    }
  });
});
