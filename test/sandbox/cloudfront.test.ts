import * as http from "http";
import { expect } from "chai";
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createCloudFrontListener, ServedRequest } from "../../sandbox/cloudfront";
import type { ViewerRequestHandler } from "../../sandbox/edgeBundle";
import { FILE_CACHE_CONTROL } from "../../domain/storageLayout";
import { createIndexBucket } from "../../sandbox/resources";
import { S3Origin } from "../../sandbox/s3Origin";
import { MotoServer, startMoto } from "../../sandbox/moto";
import { UPLOAD_BODY_LIMIT_BYTES } from "../../domain/upload";
import type { UploadHandler, UploadRequest } from "../../upload/http";

const BUCKET = "ppi-test-index";
const BODY = "0123456789abcdef";

/**
 * Answers `/generated/<status>` itself, `/throw` by throwing, `/null` with nothing; rewrites the rest
 * under `t/`; answers CloudFront's error-page fetches (origin-request) with a page naming its path.
 */
const testHandler: ViewerRequestHandler = async (event): Promise<CloudFrontRequestResult> => {
  const { request, config } = event.Records[0].cf;
  // CloudFront's own fetch of an error page.
  if (config.eventType === "origin-request") {
    return {
      status: "200",
      headers: { "content-type": [{ key: "Content-Type", value: "text/plain" }] },
      body: `fixed page ${request.uri}`,
    };
  }
  if (request.uri === "/throw") throw new Error("boom");
  if (request.uri === "/null") return null;
  if (request.uri === "/big") return { status: "200", body: "x".repeat(40 * 1024 + 1) };
  if (request.uri === "/Upper")
    return { status: "200", headers: { "X-Upper": [{ key: "X-Upper", value: "1" }] } };
  const generated = /^\/generated\/(\d+)$/.exec(request.uri);
  if (generated) {
    return {
      status: generated[1],
      headers: {
        "content-type": [{ key: "Content-Type", value: "text/plain" }],
        "cache-control": [{ key: "Cache-Control", value: "no-store" }],
      },
      body: "generated",
    };
  }
  return { ...request, uri: `/t${request.uri}`, querystring: "" };
};

describe("sandbox CloudFront emulator @integration", () => {
  let moto: MotoServer;
  let server: http.Server;
  let base: string;
  let events: CloudFrontRequestEvent[];
  let served: ServedRequest[];
  let acceptOverride: string | undefined;
  let putPage: (body: string) => Promise<unknown>;

  before(async () => {
    moto = await startMoto();
    const s3 = new S3Client(moto.clientConfig);
    await createIndexBucket(s3, BUCKET);
    const put = (Key: string, Body: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key,
          Body,
          ContentType: "text/html",
          CacheControl: "max-age=60",
        }),
      );
    await put("t/simple/index.html", BODY);
    await put("t/files/a+b c.txt", "plus and space");
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "t/files/p/p-1.0-py3-none-any.whl",
        Body: "wheel bytes",
        ContentType: "application/octet-stream",
        CacheControl: FILE_CACHE_CONTROL,
      }),
    );
    putPage = (body: string) => put("t/simple/index.html", body);
    const origin = new S3Origin(s3, BUCKET);
    const handler: ViewerRequestHandler = (event) => {
      events.push(event);
      return testHandler(event);
    };
    server = http.createServer((request, response) =>
      createCloudFrontListener({
        handler,
        origin,
        ...(acceptOverride ? { acceptOverride } : {}),
        onServed: (entry) => served.push(entry),
      })(request, response),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  beforeEach(() => {
    events = [];
    served = [];
    acceptOverride = undefined;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await moto?.stop();
  });

  it("builds the viewer-request event from the HTTP request", async () => {
    await fetch(`${base}/simple/x/?format=json&a=1`, {
      headers: { Accept: "text/html", Authorization: "Basic dTpw", "X-Two": "a" },
    });
    // /simple/x/ is missing, so CloudFront fetches the 404 page next (an origin-request of its own).
    expect(events.map((e) => e.Records[0].cf.config.eventType)).to.deep.equal([
      "viewer-request",
      "origin-request",
    ]);
    const { config, request } = events[0].Records[0].cf;
    expect(config.eventType).to.equal("viewer-request");
    expect(config.requestId).to.match(/^[A-Za-z0-9_-]{56}$/);
    expect(request.method).to.equal("GET");
    expect(request.uri).to.equal("/simple/x/");
    expect(request.querystring).to.equal("format=json&a=1");
    expect(request.clientIp).to.equal("127.0.0.1");
    expect(request.headers.accept).to.deep.equal([{ key: "Accept", value: "text/html" }]);
    expect(request.headers.authorization).to.deep.equal([{ key: "Authorization", value: "Basic dTpw" }]);
    expect(request.headers["x-two"]).to.deep.equal([{ key: "X-Two", value: "a" }]);
    expect(request.headers.host[0].value).to.equal(base.slice("http://".length));
  });

  it("replaces the Accept header when asked to emulate a one-format client", async () => {
    acceptOverride = "text/html";
    await fetch(`${base}/simple/`, { headers: { Accept: "application/vnd.pypi.simple.v1+json" } });
    expect(events[0].Records[0].cf.request.headers.accept).to.deep.equal([
      { key: "Accept", value: "text/html" },
    ]);
  });

  it("returns a generated response as the handler built it", async () => {
    const response = await fetch(`${base}/generated/401`);
    expect(response.status).to.equal(401);
    expect(response.headers.get("content-type")).to.equal("text/plain");
    expect(response.headers.get("cache-control")).to.equal("no-store");
    expect(await response.text()).to.equal("generated");
    expect(served).to.deep.equal([
      { method: "GET", url: "/generated/401", status: 401, answeredBy: "edge", contentType: "text/plain" },
    ]);
    const head = await fetch(`${base}/generated/404`, { method: "HEAD" });
    expect(head.status).to.equal(404);
    expect(await head.text()).to.equal("");
  });

  const failures: [string, number][] = [
    ["/throw", 503],
    ["/null", 502],
    ["/big", 502],
    ["/Upper", 502],
  ];
  for (const [uri, status] of failures) {
    it(`answers ${status} as CloudFront does when the function result for ${uri} is unusable`, async () => {
      expect((await fetch(`${base}${uri}`)).status).to.equal(status);
    });
  }

  it("serves an accepted request from S3 at the rewritten key with S3's headers", async () => {
    const response = await fetch(`${base}/simple/index.html?format=html`);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal(BODY);
    expect(response.headers.get("content-type")).to.equal("text/html");
    expect(response.headers.get("cache-control")).to.equal("max-age=60");
    expect(response.headers.get("content-length")).to.equal(String(BODY.length));
    expect(response.headers.get("etag")).to.match(/^"[0-9a-f]{32}"$/);
    expect(new Date(response.headers.get("last-modified") ?? "").getTime()).to.be.greaterThan(0);
    expect(served[0]).to.include({
      status: 200,
      answeredBy: "origin",
      key: "t/simple/index.html",
      contentType: "text/html",
    });
  });

  it("decodes the rewritten URI once into the object key, as S3 does", async () => {
    const response = await fetch(`${base}/files/a+b%20c.txt`);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal("plus and space");
  });

  it("answers HEAD with the headers and no body", async () => {
    const response = await fetch(`${base}/simple/index.html`, { method: "HEAD" });
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-length")).to.equal(String(BODY.length));
    expect(await response.text()).to.equal("");
  });

  it("serves byte ranges (206) and refuses unsatisfiable ones (416)", async () => {
    const partial = await fetch(`${base}/simple/index.html`, { headers: { Range: "bytes=2-5" } });
    expect(partial.status).to.equal(206);
    expect(partial.headers.get("content-range")).to.equal(`bytes 2-5/${BODY.length}`);
    expect(await partial.text()).to.equal("2345");
    const beyond = await fetch(`${base}/simple/index.html`, { headers: { Range: "bytes=100-200" } });
    expect(beyond.status).to.equal(416);
    expect(await beyond.text()).to.equal("fixed page /_errors/416");
  });

  it("answers 304 to If-None-Match with the current ETag", async () => {
    const etag = (await fetch(`${base}/simple/index.html`)).headers.get("etag") ?? "";
    const response = await fetch(`${base}/simple/index.html`, { headers: { "If-None-Match": etag } });
    expect(response.status).to.equal(304);
    expect(response.headers.get("etag")).to.equal(etag);
  });

  it("answers 404 (not 403) for a missing key, on GET and HEAD, with the error page, never S3's body", async () => {
    const missing = await fetch(`${base}/simple/nothing/index.html`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.get("content-type")).to.equal("text/plain");
    const body = await missing.text();
    expect(body).to.equal("fixed page /_errors/404");
    expect(body).not.to.include("t/simple/nothing");
    const head = await fetch(`${base}/simple/nothing/index.html`, { method: "HEAD" });
    expect(head.status).to.equal(404);
    expect(await head.text()).to.equal("");
    const fetchesOfThePage = events.filter((e) => e.Records[0].cf.config.eventType === "origin-request");
    expect(fetchesOfThePage.map((e) => e.Records[0].cf.request.uri)).to.deep.equal([
      "/_errors/404",
      "/_errors/404",
    ]);
  });

  it("adds the production response headers policy to every response: origin, generated, error page", async () => {
    const production = {
      "strict-transport-security": "max-age=63072000; includeSubDomains",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
      vary: "Accept",
    };
    for (const path of ["/simple/index.html", "/generated/401", "/simple/nothing/index.html"]) {
      const response = await fetch(`${base}${path}`);
      for (const [name, value] of Object.entries(production)) {
        expect(response.headers.get(name), `${path} ${name}`).to.equal(value);
      }
    }
  });

  it("keeps immutable files in the CDN cache after the first GET, as CloudFront does", async () => {
    const url = `${base}/files/p/p-1.0-py3-none-any.whl`;
    const first = await fetch(url);
    expect(first.headers.get("x-cache")).to.equal("Miss from cloudfront");
    expect(await first.text()).to.equal("wheel bytes");
    const second = await fetch(url);
    expect(second.headers.get("x-cache")).to.equal("Hit from cloudfront");
    expect(await second.text()).to.equal("wheel bytes");
    for (const name of ["content-type", "content-length", "cache-control", "etag", "last-modified"]) {
      expect(second.headers.get(name), name).to.equal(first.headers.get(name));
    }
    const etag = first.headers.get("etag") ?? "";
    expect((await fetch(url, { headers: { "If-None-Match": etag } })).status).to.equal(304);
    const head = await fetch(url, { method: "HEAD" });
    expect(head.headers.get("x-cache")).to.equal("Hit from cloudfront");
    expect(await head.text()).to.equal("");
    const range = await fetch(url, { headers: { Range: "bytes=0-4" } });
    expect(range.status).to.equal(206);
    expect(await range.text()).to.equal("wheel");
  });

  it("does not cache pages: a publish shows at once", async () => {
    await fetch(`${base}/simple/index.html`);
    await putPage("republished");
    const response = await fetch(`${base}/simple/index.html`);
    expect(response.headers.get("x-cache")).to.equal("Miss from cloudfront");
    expect(await response.text()).to.equal("republished");
    await putPage(BODY);
  });
});

describe("sandbox CloudFront emulator: the upload behaviour", () => {
  let server: http.Server;
  let base: string;
  let received: UploadRequest[];

  before(async () => {
    // The edge forwards /legacy/ as it came; the bucket is never asked.
    const handler: ViewerRequestHandler = async (event) => event.Records[0].cf.request;
    const upload: UploadHandler = async (request) => {
      received.push(request);
      const status = request.body.length > UPLOAD_BODY_LIMIT_BYTES ? 413 : 200;
      return {
        status,
        headers: { "content-type": "text/plain", "x-upload": "1" },
        body: `got ${request.body.length}`,
      };
    };
    server = http.createServer(
      createCloudFrontListener({
        handler,
        upload,
        origin: new S3Origin(new S3Client({ region: "us-east-1" }), "unused"),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  beforeEach(() => {
    received = [];
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("hands a forwarded POST /legacy/ to the upload handler: method, path, lowercase joined headers, body", async () => {
    const response = await fetch(`${base}/legacy/`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=b", "X-Two": "a" },
      body: "abc",
    });
    expect([response.status, response.headers.get("x-upload"), await response.text()]).to.deep.equal([
      200,
      "1",
      "got 3",
    ]);
    expect(received).to.have.length(1);
    const [request] = received;
    expect([request.method, request.path, Buffer.from(request.body).toString()]).to.deep.equal([
      "POST",
      "/legacy/",
      "abc",
    ]);
    expect(request.headers).to.include({
      "content-type": "multipart/form-data; boundary=b",
      "x-two": "a",
      "content-length": "3",
    });
  });

  it("keeps at most the body limit + 1 bytes of a larger body and drains the rest, so the client reads the answer", async () => {
    const response = await fetch(`${base}/legacy/`, {
      method: "POST",
      body: new Uint8Array(3 * UPLOAD_BODY_LIMIT_BYTES),
    });
    expect([response.status, await response.text()]).to.deep.equal([
      413,
      `got ${UPLOAD_BODY_LIMIT_BYTES + 1}`,
    ]);
  });
});
