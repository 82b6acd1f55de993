import { expect } from "chai";
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { createUploadBodySignerWith, uploadBodySignerFactory } from "../../edge/uploadBodySigner";
import { forwarded, generated, headerValue } from "../../fixtures/cloudfrontEvents";
import {
  SIGNER_CASES,
  TOO_LARGE_BODY,
  UploadOriginRequestOptions,
  uploadOriginRequestEvent,
} from "../../fixtures/uploadEvents";

async function run(
  handler: (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult>,
  options: UploadOriginRequestOptions,
) {
  return handler(uploadOriginRequestEvent(options));
}

describe("edge: the upload body signer (origin-request)", () => {
  const logs: string[] = [];
  const signer = createUploadBodySignerWith({ log: (line) => logs.push(line) });
  beforeEach(() => logs.splice(0));

  for (const c of SIGNER_CASES) {
    it(c.title, async () => {
      const result = await run(signer, c.event);
      if (c.status === undefined) {
        const request = forwarded(result);
        expect(request.headers["x-amz-content-sha256"]).to.deep.equal([
          { key: "x-amz-content-sha256", value: c.digest },
        ]);
        // The body goes on as it came: the signer only reads it.
        expect(request.body?.action ?? "read-only").to.equal("read-only");
      } else {
        const response = generated(result);
        expect(response.status).to.equal("413");
        expect(response.body).to.equal(TOO_LARGE_BODY);
        expect(headerValue(response, "cache-control")).to.equal("no-store");
        expect(logs.map((l) => JSON.parse(l).reason)).to.deep.equal(["body-too-large"]);
      }
    });
  }

  for (const method of ["GET", "HEAD", "OPTIONS"]) {
    it(`passes a ${method} untouched, without a digest`, async () => {
      const event = uploadOriginRequestEvent({ method, uri: "/_/oidc/audience" });
      const before = JSON.stringify(event.Records[0].cf.request);
      const request = forwarded(await signer(event));
      expect(JSON.stringify(request)).to.equal(before);
      expect(request.headers["x-amz-content-sha256"]).to.equal(undefined);
    });
  }

  it("answers 500, never forwarding unsigned, when the event is not one it can read", async () => {
    const event = uploadOriginRequestEvent({ body: { data: "YWJj", encoding: "base64" } });
    (event.Records[0].cf.request as { headers: unknown }).headers = null;
    expect(generated(await signer(event)).status).to.equal("500");
    expect(JSON.parse(logs[0]).reason).to.equal("internal-error");
  });

  it("takes no settings: a config with one is refused, naming it", () => {
    expect(() => uploadBodySignerFactory({ limit: 5 } as never)).to.throw(
      "upload body signer: takes no settings; remove limit from its config.",
    );
    expect(uploadBodySignerFactory({})).to.be.a("function");
  });
});
