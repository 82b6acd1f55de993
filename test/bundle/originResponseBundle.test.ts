/**
 * The origin-response (fall-through) bundle as it would ship: the archive of the mocked
 * CallbackFunction, its size and requires, and the serialized text driven with origin-response
 * events — a test of the source module cannot catch a closure-serialization bug.
 */
import { expect } from "chai";
import type { CloudFrontResultResponse } from "aws-lambda";
import { EdgeFunction } from "../../components/edgeFunction";
import { originResponseHandlerFactory } from "../../edge/originResponse";
import { OriginResponseHandler, serializeOriginResponseBundle } from "../../sandbox/edgeBundle";
import { headerValue } from "../../fixtures/cloudfrontEvents";
import { TEST_ORIGIN_RESPONSE_CONFIG, originResponseEvent } from "../../fixtures/originResponseEvents";
import { settle, setupMocks, valueOf } from "../mocks";
import { archiveOf, loadBundle, nonBuiltinRequires } from "../support/bundle";

const MAX_BUNDLE_BYTES = 64 * 1024;

async function deployedArchive(): Promise<Record<string, string>> {
  const recorder = await setupMocks({ stack: "dev" });
  const edge = new EdgeFunction("fall-through", {
    functionName: "ppi-dev-origin-response",
    handlerFactory: originResponseHandlerFactory,
    handlerConfig: TEST_ORIGIN_RESPONSE_CONFIG,
  });
  await valueOf(edge.qualifiedArn);
  await settle();
  return archiveOf(recorder.one("aws:lambda/function:Function"));
}

describe("origin-response bundle: the archive of the mocked CallbackFunction", () => {
  let archive: Record<string, string>;
  before(async () => {
    archive = await deployedArchive();
  });

  it(`is __index.js alone, smaller than ${MAX_BUNDLE_BYTES} bytes, and what the sandbox runs`, async () => {
    expect(Object.keys(archive)).to.deep.equal(["__index.js"]);
    expect(Buffer.byteLength(archive["__index.js"], "utf8")).to.be.lessThan(MAX_BUNDLE_BYTES);
    expect(archive["__index.js"]).to.equal(await serializeOriginResponseBundle(TEST_ORIGIN_RESPONSE_CONFIG));
  });

  it("requires Node builtins only, and answers origin-response events when loaded with nothing else", async () => {
    const text = archive["__index.js"];
    expect(nonBuiltinRequires(text)).to.deep.equal([]);
    const handler = loadBundle<OriginResponseHandler>(text);
    // A page the tenant has passes untouched, with no lookup (none could succeed here).
    const hit = await handler(originResponseEvent("/acme/main/simple/requests/index.html", 200));
    expect((hit as CloudFrontResultResponse).status).to.equal("200");
    // A missing page needs the reserved list; with no reachable S3 that fails closed: 503, not a redirect.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "x",
      AWS_SECRET_ACCESS_KEY: "y",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    try {
      const miss = (await handler(
        originResponseEvent("/acme/main/simple/requests/index.html", 404),
      )) as CloudFrontResultResponse;
      expect(miss.status).to.equal("503");
      expect(headerValue(miss, "location")).to.equal(undefined);
    } finally {
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});
