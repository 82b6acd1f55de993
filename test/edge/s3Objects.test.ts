import * as http from "http";
import { expect } from "chai";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "crypto";
import type { SourceData } from "@smithy/types";
import { bucketBaseUrl, createS3ObjectReader } from "../../edge/s3Objects";
import { signRequest } from "../../edge/sigv4";

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

describe("s3Objects: where requests go", () => {
  const cases: [Record<string, string>, string][] = [
    [{}, "https://ppi-dev-index-1.s3.eu-west-1.amazonaws.com/"],
    [{ AWS_ENDPOINT_URL: "http://127.0.0.1:5000" }, "http://127.0.0.1:5000/ppi-dev-index-1/"],
    [
      { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:6000/" },
      "http://127.0.0.1:6000/ppi-dev-index-1/",
    ],
  ];
  for (const [env, expected] of cases) {
    it(`${JSON.stringify(env)} → ${expected}`, () =>
      expect(bucketBaseUrl("ppi-dev-index-1", "eu-west-1", env).href).to.equal(expected));
  }
});

describe("sigv4: an S3 GET with a query signs as the AWS SDK signs it", () => {
  it("ListObjectsV2 of one key", async () => {
    const bytes = (data: SourceData) =>
      typeof data === "string" ? Buffer.from(data) : Buffer.from(data as Uint8Array);
    class Sha256 {
      private readonly hash;
      constructor(secret?: SourceData) {
        this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
      }
      update(data: SourceData) {
        this.hash.update(bytes(data));
      }
      async digest() {
        return new Uint8Array(this.hash.digest());
      }
    }
    const date = new Date("2026-01-01T00:00:00Z");
    const query = { "list-type": "2", "max-keys": "1", prefix: "acme/main/simple/a-b/index.html" };
    const emptyHash = createHash("sha256").update("").digest("hex");
    const ours = signRequest(
      {
        method: "GET",
        host: "b.s3.eu-west-1.amazonaws.com",
        path: "/",
        query,
        headers: { "x-amz-content-sha256": emptyHash },
        payloadHash: emptyHash,
      },
      CREDENTIALS,
      { region: "eu-west-1", service: "s3" },
      date,
    );
    const sdk = await new SignatureV4({
      credentials: CREDENTIALS,
      region: "eu-west-1",
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    }).sign(
      {
        method: "GET",
        protocol: "https:",
        hostname: "b.s3.eu-west-1.amazonaws.com",
        path: "/",
        query,
        headers: { host: "b.s3.eu-west-1.amazonaws.com", "x-amz-content-sha256": emptyHash },
      },
      { signingDate: date },
    );
    expect(ours.authorization).to.equal(sdk.headers.authorization);
  });
});

describe("s3Objects: reading one object", () => {
  let server: http.Server;
  let seen: { method?: string; url?: string; authorization?: string }[];
  let answers: Record<string, [number, string]>;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    server = http.createServer((request, response) => {
      seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization });
      const [status, body] = answers[request.url ?? ""] ?? [500, "unexpected"];
      response.writeHead(status).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    for (const name of [
      "AWS_ENDPOINT_URL",
      "AWS_ENDPOINT_URL_S3",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
    ]) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    server.close();
  });
  beforeEach(() => {
    seen = [];
    answers = {};
  });

  const key = "acme/reserved-names.json";
  const get = `/bucket/${key}`;
  const list = `/bucket/?list-type=2&max-keys=1&prefix=${encodeURIComponent(key)}`;
  const listed = `<ListBucketResult><Contents><Key>${key}</Key></Contents></ListBucketResult>`;
  const empty = "<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>";
  const cases: [string, Record<string, [number, string]>, string | undefined | RegExp, string[]][] = [
    ["a stored object", { [get]: [200, '{"reserved":[]}'] }, '{"reserved":[]}', [get]],
    ["404 confirmed by a list", { [get]: [404, ""], [list]: [200, empty] }, undefined, [get, list]],
    [
      "403 for a missing key (no unconditioned ListBucket)",
      { [get]: [403, ""], [list]: [200, empty] },
      undefined,
      [get, list],
    ],
    [
      "403 for a key that exists is a failure",
      { [get]: [403, ""], [list]: [200, listed] },
      /HttpError403/,
      [get, list],
    ],
    ["a 500", { [get]: [500, ""] }, /HttpError500/, [get]],
  ];
  for (const [what, given, expected, requests] of cases) {
    it(what, async () => {
      answers = given;
      const reader = createS3ObjectReader("bucket", "us-east-1");
      const result = reader.read(key);
      if (expected instanceof RegExp) {
        const error = await result.then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.name).to.match(expected);
      } else {
        expect(await result).to.equal(expected);
      }
      expect(seen.map((r) => r.url)).to.deep.equal(requests);
      expect(
        seen.every(
          (r) =>
            r.method === "GET" && r.authorization?.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        ),
      ).to.equal(true);
    });
  }
});
