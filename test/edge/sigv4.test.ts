import { expect } from "chai";
import fc from "fast-check";
import { AwsCredentials, JsonPost, amzDate, signJsonPost } from "../../edge/sigv4";
import { sdkSignedHeaders } from "./sdkSigner";
import { DYNAMODB_TABLE_NAME_PATTERN } from "../../domain/aws";

describe("sigv4: AWS's published test suite (aws-sig-v4-test-suite, POST cases)", () => {
  const suiteCredentials = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  };
  const suiteToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
  const scope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
  const cases: [string, JsonPost, AwsCredentials, string][] = [
    [
      "post-vanilla",
      { host: "example.amazonaws.com", headers: {}, body: "" },
      suiteCredentials,
      `Credential=${scope}, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b`,
    ],
    [
      "post-x-www-form-urlencoded",
      {
        host: "example.amazonaws.com",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "Param1=value1",
      },
      suiteCredentials,
      `Credential=${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a`,
    ],
    [
      "post-sts-token/post-sts-header-before",
      { host: "example.amazonaws.com", headers: {}, body: "" },
      { ...suiteCredentials, sessionToken: suiteToken },
      `Credential=${scope}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead`,
    ],
  ];
  for (const [name, request, credentials, authorization] of cases) {
    it(name, () => {
      const headers = signJsonPost(
        request,
        credentials,
        { region: "us-east-1", service: "service" },
        new Date("2015-08-30T12:36:00Z"),
      );
      expect(headers.authorization).to.equal(`AWS4-HMAC-SHA256 ${authorization}`);
      expect(headers["x-amz-date"]).to.equal("20150830T123600Z");
      expect(headers["x-amz-security-token"]).to.equal(credentials.sessionToken);
    });
  }
});

describe("sigv4: amzDate", () => {
  const cases: [string, string][] = [
    ["2015-08-30T12:36:00.000Z", "20150830T123600Z"],
    ["2026-11-21T23:59:59.999Z", "20261121T235959Z"],
    ["2000-01-01T00:00:00.001Z", "20000101T000000Z"],
  ];
  for (const [iso, expected] of cases) {
    it(`${iso} → ${expected}`, () => expect(amzDate(new Date(iso))).to.equal(expected));
  }
});

describe("sigv4: byte-equal with the AWS SDK's signer (@smithy/signature-v4)", () => {
  const region = fc.stringMatching(/^[a-z]{2}(-gov)?-[a-z]{4,9}-[1-9]$/);
  const host = fc.oneof(
    region.map((r) => `dynamodb.${r}.amazonaws.com`),
    fc.integer({ min: 1, max: 65535 }).map((port) => `127.0.0.1:${port}`),
  );
  const getItemBody = fc
    .record({ table: fc.stringMatching(DYNAMODB_TABLE_NAME_PATTERN), key: fc.string({ unit: "grapheme" }) })
    .map(({ table, key }) => JSON.stringify({ TableName: table, Key: { publicKey: { S: key } } }));
  const credentials = fc.record(
    {
      accessKeyId: fc.stringMatching(/^(AKIA|ASIA)[A-Z0-9]{16}$/),
      secretAccessKey: fc.stringMatching(/^[A-Za-z0-9/+]{40}$/),
      sessionToken: fc.stringMatching(/^[A-Za-z0-9/+=]{1,400}$/),
    },
    { requiredKeys: ["accessKeyId", "secretAccessKey"] },
  );
  const request = fc.record({
    host,
    headers: fc.record({
      "content-type": fc.constant("application/x-amz-json-1.0"),
      // Values with inner and outer spaces exercise header canonicalization (trim, collapse).
      "x-amz-target": fc.stringMatching(/^[ -~]{0,60}$/),
    }),
    body: fc.oneof(getItemBody, fc.string({ unit: "grapheme", maxLength: 2000 })),
  });

  it("sends the same headers, Authorization included, for random requests, keys, regions and dates", async () => {
    await fc.assert(
      fc.asyncProperty(
        request,
        credentials,
        region,
        fc.constantFrom("dynamodb", "service", "s3"),
        fc.date({
          min: new Date("2000-01-01T00:00:00Z"),
          max: new Date("2099-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        async (req, creds, signingRegion, service, date) => {
          const scope = { region: signingRegion, service };
          const ours = signJsonPost(req, creds, scope, date);
          expect(ours).to.deep.equal(await sdkSignedHeaders(req, creds, scope, date));
        },
      ),
      { numRuns: 300 },
    );
  });
});
