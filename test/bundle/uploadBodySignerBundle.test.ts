/**
 * The upload body signer as it would ship: the archive of the mocked CallbackFunction, and its
 * serialized text driven with origin-request events of the upload behaviour.
 */
import { expect } from "chai";
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { EdgeFunction } from "../../components/edgeFunction";
import { uploadBodySignerFactory } from "../../edge/uploadBodySigner";
import { forwarded, generated } from "../../fixtures/cloudfrontEvents";
import { SIGNER_CASES, TOO_LARGE_BODY, uploadOriginRequestEvent } from "../../fixtures/uploadEvents";
import { settle, setupMocks, valueOf } from "../mocks";
import { archiveOf, loadBundle, nonBuiltinRequires } from "../support/bundle";

const MAX_BUNDLE_BYTES = 16 * 1024;
type Signer = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult>;

describe("upload body signer bundle: the archive of the mocked CallbackFunction", () => {
  let archive: Record<string, string>;
  let signer: Signer;
  before(async () => {
    const recorder = await setupMocks({ stack: "dev" });
    const edge = new EdgeFunction("upload-signer", {
      functionName: "ppi-dev-upload-signer",
      handlerFactory: uploadBodySignerFactory,
      handlerConfig: {},
    });
    await valueOf(edge.qualifiedArn);
    await settle();
    archive = await archiveOf(recorder.one("aws:lambda/function:Function"));
    signer = loadBundle<Signer>(archive["__index.js"]);
  });

  it(`is __index.js alone, smaller than ${MAX_BUNDLE_BYTES} bytes, requiring Node builtins only`, () => {
    expect(Object.keys(archive)).to.deep.equal(["__index.js"]);
    expect(Buffer.byteLength(archive["__index.js"], "utf8")).to.be.lessThan(MAX_BUNDLE_BYTES);
    expect(nonBuiltinRequires(archive["__index.js"])).to.deep.equal([]);
  });

  for (const c of SIGNER_CASES) {
    it(`serialized: ${c.title}`, async () => {
      const result = await signer(uploadOriginRequestEvent(c.event));
      if (c.status === undefined) {
        expect(forwarded(result).headers["x-amz-content-sha256"]).to.deep.equal([
          { key: "x-amz-content-sha256", value: c.digest },
        ]);
      } else {
        expect(generated(result).status).to.equal(c.status);
        expect(generated(result).body).to.equal(TOO_LARGE_BODY);
      }
    });
  }

  it("serialized: a GET passes untouched", async () => {
    const event = uploadOriginRequestEvent({ method: "GET", uri: "/_/oidc/audience" });
    const before = JSON.stringify(event.Records[0].cf.request);
    expect(JSON.stringify(forwarded(await signer(event)))).to.equal(before);
  });
});
