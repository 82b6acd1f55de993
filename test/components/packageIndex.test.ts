import { expect } from "chai";
import { PackageIndex, PackageIndexArgs, checkEdgeFunctionVersionArn } from "../../components/packageIndex";
import { ResourceRecorder, settle, setupMocks, valueOf } from "../mocks";
import { PACKAGE_INDEX_BASE_COUNTS } from "../support/packageIndexResources";

const EDGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-viewer-request:7";
const DISTRIBUTION_ARN = "arn:aws:cloudfront::123456789012:distribution/EIDXCDN";
const BUCKET = "idx-content-bucket";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

async function build(
  overrides: Partial<PackageIndexArgs> = {},
): Promise<{ recorder: ResourceRecorder; index: PackageIndex }> {
  const recorder = setupMocks();
  const index = new PackageIndex("idx", {
    namePrefix: "ppi-test",
    viewerRequestFunctionArn: EDGE_ARN,
    ...overrides,
  });
  await valueOf(index.indexUrl);
  await settle();
  return { recorder, index };
}

const EDGE_ASSOCIATION = [{ eventType: "viewer-request", lambdaArn: EDGE_ARN, includeBody: false }];

function expectedBehaviour(cachePolicyId: string) {
  return {
    targetOriginId: "index-bucket",
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: ["GET", "HEAD", "OPTIONS"],
    cachedMethods: ["GET", "HEAD"],
    compress: true,
    cachePolicyId,
    responseHeadersPolicyId: "idx-security-headers-id",
    lambdaFunctionAssociations: EDGE_ASSOCIATION,
  };
}

describe("PackageIndex", () => {
  describe("with defaults", () => {
    let recorder: ResourceRecorder;
    let index: PackageIndex;
    before(async () => ({ recorder, index } = await build()));

    it("creates exactly the bucket and CDN resources, nothing optional", () => {
      expect(recorder.countByType()).to.deep.equal(PACKAGE_INDEX_BASE_COUNTS);
    });

    it("makes the bucket private, owner-enforced, encrypted and versioned, never force-destroyed", () => {
      const bucket = recorder.one("aws:s3/bucket:Bucket");
      expect(bucket.inputs).to.deep.include({ bucketPrefix: "ppi-test-index-", forceDestroy: false });
      expect(bucket.protect).to.equal(false);
      expect(recorder.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.deep.equal({
        bucket: "idx-content-id",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(
        recorder.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule,
      ).to.deep.equal({
        objectOwnership: "BucketOwnerEnforced",
      });
      expect(
        recorder.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
          .inputs.rules,
      ).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
      expect(
        recorder.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
      ).to.deep.equal({
        status: "Enabled",
      });
    });

    it("expires old versions and aborted uploads, with no branch-channel rule", () => {
      const rules = recorder.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
        .rules;
      expect(rules).to.deep.equal([
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: { prefix: "" },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: { prefix: "" },
          noncurrentVersionExpiration: { noncurrentDays: 30 },
        },
        {
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: { prefix: "" },
          expiration: { expiredObjectDeleteMarker: true },
        },
      ]);
    });

    it("admits only this distribution (objects and listing) and denies plain HTTP", () => {
      const policy = JSON.parse(recorder.one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
      const fromThisDistribution = { StringEquals: { "AWS:SourceArn": DISTRIBUTION_ARN } };
      expect(policy).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AllowCloudFrontReadObjects",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${BUCKET_ARN}/*`,
            Condition: fromThisDistribution,
          },
          {
            Sid: "AllowCloudFrontListForNotFound",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:ListBucket",
            Resource: BUCKET_ARN,
            Condition: fromThisDistribution,
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      });
    });

    it("signs every origin request with an S3 origin access control", () => {
      expect(recorder.one("aws:cloudfront/originAccessControl:OriginAccessControl").inputs).to.deep.include({
        name: "ppi-test-index",
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      });
    });

    it("keys both cache policies on the URI alone and honours the origin's Cache-Control", () => {
      const keyedOnUriOnly = {
        headersConfig: { headerBehavior: "none" },
        cookiesConfig: { cookieBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      };
      const pages = recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-pages").inputs;
      expect(pages).to.deep.include({ name: "ppi-test-pages", minTtl: 0, defaultTtl: 60, maxTtl: 60 });
      expect(pages.parametersInCacheKeyAndForwardedToOrigin).to.deep.equal(keyedOnUriOnly);
      const files = recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-files").inputs;
      expect(files).to.deep.include({
        name: "ppi-test-files",
        minTtl: 0,
        defaultTtl: 86400,
        maxTtl: 31536000,
      });
      expect(files.parametersInCacheKeyAndForwardedToOrigin).to.deep.equal(keyedOnUriOnly);
    });

    it("adds Vary: Accept, HSTS for two years with subdomains, nosniff, DENY framing and no referrer", () => {
      const headers = recorder.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").inputs;
      expect(headers.name).to.equal("ppi-test-security-headers");
      expect(headers.customHeadersConfig).to.deep.equal({
        items: [{ header: "Vary", value: "Accept", override: true }],
      });
      expect(headers.securityHeadersConfig).to.deep.equal({
        strictTransportSecurity: {
          accessControlMaxAgeSec: 63072000,
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: "DENY", override: true },
        referrerPolicy: { referrerPolicy: "no-referrer", override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
          override: true,
        },
      });
    });

    it("serves over HTTPS only with HTTP/2+3, IPv6 and the default certificate", () => {
      const cdn = recorder.one("aws:cloudfront/distribution:Distribution").inputs;
      expect(cdn).to.deep.include({
        enabled: true,
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass: "PriceClass_100",
        aliases: [],
        waitForDeployment: true,
      });
      expect(cdn.viewerCertificate).to.deep.equal({ cloudfrontDefaultCertificate: true });
      expect(cdn.origins).to.deep.equal([
        {
          originId: "index-bucket",
          domainName: `${BUCKET}.s3.eu-west-1.amazonaws.com`,
          originAccessControlId: "idx-oac-id",
        },
      ]);
      expect(cdn.restrictions).to.deep.equal({ geoRestriction: { restrictionType: "none" } });
      expect(cdn.customErrorResponses).to.deep.equal([{ errorCode: 404, errorCachingMinTtl: 60 }]);
      expect(cdn).not.to.have.property("loggingConfig");
      expect(cdn).not.to.have.property("webAclId");
    });

    it("runs the edge function's numbered version at viewer-request on every behaviour", () => {
      const cdn = recorder.one("aws:cloudfront/distribution:Distribution").inputs;
      expect(cdn.defaultCacheBehavior).to.deep.equal(expectedBehaviour("idx-pages-id"));
      expect(cdn.orderedCacheBehaviors).to.deep.equal([
        { pathPattern: "/files/*", ...expectedBehaviour("idx-files-id") },
      ]);
    });

    it("exposes the index URL on the distribution's name", async () => {
      expect(await valueOf(index.indexUrl)).to.equal("https://d111111abcdef8.cloudfront.net/simple/");
      expect(await valueOf(index.bucketName)).to.equal(BUCKET);
      expect(await valueOf(index.distributionId)).to.equal("idx-cdn-id");
      expect(index.accessLogBucketName).to.equal(undefined);
    });
  });

  describe("with branch channels, a page TTL and protection", () => {
    let recorder: ResourceRecorder;
    before(async () => {
      ({ recorder } = await build({
        branchChannels: true,
        branchChannelExpirationDays: 7,
        noncurrentVersionExpirationDays: 90,
        pageCacheTtlSeconds: 10,
        priceClass: "PriceClass_All",
        protect: true,
      }));
    });

    it("expires objects tagged as branch-channel content after the configured days", () => {
      const rules = recorder.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
        .rules;
      expect(rules.map((r: { id: string }) => r.id)).to.deep.equal([
        "abort-incomplete-multipart-uploads",
        "expire-noncurrent-versions",
        "remove-expired-delete-markers",
        "expire-branch-channels",
      ]);
      expect(rules[1].noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 90 });
      expect(rules[3]).to.deep.equal({
        id: "expire-branch-channels",
        status: "Enabled",
        filter: { tag: { key: "ppi-channel-kind", value: "branch" } },
        expiration: { days: 7 },
      });
    });

    it("adds the channel files behaviour, also with the edge function", () => {
      const cdn = recorder.one("aws:cloudfront/distribution:Distribution").inputs;
      expect(cdn.priceClass).to.equal("PriceClass_All");
      expect(cdn.orderedCacheBehaviors).to.deep.equal([
        { pathPattern: "/files/*", ...expectedBehaviour("idx-files-id") },
        { pathPattern: "/*/files/*", ...expectedBehaviour("idx-files-id") },
      ]);
    });

    it("caps index pages and remembered 404s at the configured TTL", () => {
      expect(recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-pages").inputs).to.deep.include({
        minTtl: 0,
        defaultTtl: 10,
        maxTtl: 10,
      });
      expect(
        recorder.one("aws:cloudfront/distribution:Distribution").inputs.customErrorResponses,
      ).to.deep.equal([{ errorCode: 404, errorCachingMinTtl: 10 }]);
    });

    it("protects the content bucket and nothing else", () => {
      expect(recorder.customResources.filter((r) => r.protect).map((r) => r.type)).to.deep.equal([
        "aws:s3/bucket:Bucket",
      ]);
    });
  });

  describe("with a custom domain", () => {
    let recorder: ResourceRecorder;
    let index: PackageIndex;
    before(async () => {
      ({ recorder, index } = await build({
        customDomain: { name: "pypi.example.com", hostedZoneId: "ZEXAMPLE" },
      }));
    });

    it("requests a DNS-validated certificate in us-east-1", () => {
      expect(recorder.one("aws:acm/certificate:Certificate").inputs).to.deep.equal({
        region: "us-east-1",
        domainName: "pypi.example.com",
        validationMethod: "DNS",
        keyAlgorithm: "RSA_2048",
      });
      expect(recorder.one("aws:route53/record:Record", "certificate-validation").inputs).to.deep.equal({
        zoneId: "ZEXAMPLE",
        name: "_x1.pypi.example.com.",
        type: "CNAME",
        records: ["_x2.acm-validations.aws."],
        ttl: 300,
      });
      expect(recorder.one("aws:acm/certificateValidation:CertificateValidation").inputs).to.deep.equal({
        region: "us-east-1",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/idx-certificate",
        validationRecordFqdns: ["_x1.pypi.example.com."],
      });
    });

    it("serves the domain with SNI and TLS 1.2 (2021) at least", () => {
      const cdn = recorder.one("aws:cloudfront/distribution:Distribution").inputs;
      expect(cdn.aliases).to.deep.equal(["pypi.example.com"]);
      expect(cdn.viewerCertificate).to.deep.equal({
        acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/idx-certificate",
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      });
    });

    it("points IPv4 and IPv6 alias records at the distribution", () => {
      for (const type of ["A", "AAAA"]) {
        expect(
          recorder.one("aws:route53/record:Record", `-alias-${type.toLowerCase()}`).inputs,
        ).to.deep.equal({
          zoneId: "ZEXAMPLE",
          name: "pypi.example.com",
          type,
          aliases: [
            { name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false },
          ],
        });
      }
    });

    it("publishes the index URL on the custom domain", async () => {
      expect(await valueOf(index.indexUrl)).to.equal("https://pypi.example.com/simple/");
    });
  });

  describe("with access logs", () => {
    let recorder: ResourceRecorder;
    let index: PackageIndex;
    before(
      async () => ({ recorder, index } = await build({ accessLogs: true, accessLogExpirationDays: 30 })),
    );

    it("creates a private log bucket that accepts CloudFront's ACL-based delivery", () => {
      expect(recorder.one("aws:s3/bucket:Bucket", "-logs").inputs).to.deep.include({
        bucketPrefix: "ppi-test-logs-",
        forceDestroy: false,
      });
      expect(
        recorder.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "-logs-ownership").inputs.rule,
      ).to.deep.equal({ objectOwnership: "BucketOwnerPreferred" });
      expect(
        recorder.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-logs-public-access").inputs,
      ).to.deep.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(recorder.ofType("aws:s3/bucketVersioning:BucketVersioning").map((r) => r.name)).to.deep.equal([
        "idx-content-versioning",
      ]);
    });

    it("expires logs after the configured days and denies plain HTTP", () => {
      const rules = recorder.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "-logs-lifecycle",
      ).inputs.rules;
      expect(rules[1]).to.deep.equal({
        id: "expire-access-logs",
        status: "Enabled",
        filter: { prefix: "cloudfront/" },
        expiration: { days: 30 },
      });
      const policy = JSON.parse(
        recorder.one("aws:s3/bucketPolicy:BucketPolicy", "-logs-policy").inputs.policy,
      );
      expect(policy.Statement).to.deep.equal([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::idx-logs-bucket", "arn:aws:s3:::idx-logs-bucket/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
    });

    it("points the distribution's standard logging at it", async () => {
      expect(recorder.one("aws:cloudfront/distribution:Distribution").inputs.loggingConfig).to.deep.equal({
        bucket: "idx-logs-bucket.s3.amazonaws.com",
        prefix: "cloudfront/",
        includeCookies: false,
      });
      expect(await valueOf(index.accessLogBucketName!)).to.equal("idx-logs-bucket");
    });
  });

  describe("with a WAF rate limit", () => {
    let recorder: ResourceRecorder;
    before(async () => ({ recorder } = await build({ wafRateLimit: 500 })));

    it("creates a CLOUDFRONT-scope web ACL in us-east-1 with managed rules and a per-IP rate block", () => {
      const acl = recorder.one("aws:wafv2/webAcl:WebAcl").inputs;
      expect(acl).to.deep.include({
        region: "us-east-1",
        name: "ppi-test-index",
        scope: "CLOUDFRONT",
        defaultAction: { allow: {} },
      });
      expect(acl.rules.map((r: { name: string; priority: number }) => [r.name, r.priority])).to.deep.equal([
        ["AWSManagedRulesKnownBadInputsRuleSet", 0],
        ["AWSManagedRulesCommonRuleSet", 1],
        ["rate-limit-per-ip", 2],
      ]);
      expect(acl.rules[2]).to.deep.include({
        action: { block: {} },
        statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: 500, evaluationWindowSec: 300 } },
      });
      expect(acl.rules[0].overrideAction).to.deep.equal({ none: {} });
    });

    it("attaches the web ACL to the distribution", () => {
      expect(recorder.one("aws:cloudfront/distribution:Distribution").inputs.webAclId).to.equal(
        "arn:aws:wafv2:us-east-1:123456789012:global/webacl/ppi-test-index/id",
      );
    });
  });

  describe("refuses bad arguments before registering anything", () => {
    const cases: [string, Partial<PackageIndexArgs>, string][] = [
      [
        "an invalid name prefix",
        { namePrefix: "PPI_Dev" },
        'PackageIndex idx: namePrefix "PPI_Dev" must be 1-28 lowercase letters, digits or dashes, starting and ending with a letter or digit (e.g. "ppi-dev").',
      ],
      [
        "a zero page TTL",
        { pageCacheTtlSeconds: 0 },
        "PackageIndex idx: pageCacheTtlSeconds is 0; expected a whole number from 1 to 3600.",
      ],
      [
        "a fractional expiry",
        { noncurrentVersionExpirationDays: 1.5 },
        "PackageIndex idx: noncurrentVersionExpirationDays is 1.5; expected a whole number from 1 to 3650.",
      ],
      [
        "a branch expiry above a year",
        { branchChannelExpirationDays: 366 },
        "PackageIndex idx: branchChannelExpirationDays is 366; expected a whole number from 1 to 365.",
      ],
      [
        "a zero log expiry",
        { accessLogExpirationDays: 0 },
        "PackageIndex idx: accessLogExpirationDays is 0; expected a whole number from 1 to 3650.",
      ],
      [
        "a WAF limit below WAF's minimum",
        { wafRateLimit: 9 },
        "PackageIndex idx: wafRateLimit is 9; expected a whole number from 10 to 2000000000.",
      ],
    ];
    for (const [what, overrides, message] of cases) {
      it(`refuses ${what}`, async () => {
        const recorder = setupMocks();
        expect(
          () =>
            new PackageIndex("idx", {
              namePrefix: "ppi-test",
              viewerRequestFunctionArn: EDGE_ARN,
              ...overrides,
            }),
        ).to.throw(message);
        await settle();
        expect(recorder.resources).to.deep.equal([]);
      });
    }
  });

  describe("accepts only a numbered us-east-1 function version at viewer-request", () => {
    const valid = [EDGE_ARN, "arn:aws:lambda:us-east-1:123456789012:function:f:1"];
    const invalid = [
      "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-viewer-request:$LATEST",
      "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-viewer-request",
      "arn:aws:lambda:eu-west-1:123456789012:function:ppi-test-viewer-request:7",
      "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-viewer-request:live",
      "",
    ];
    for (const arn of valid) {
      it(`accepts ${arn}`, () => expect(checkEdgeFunctionVersionArn("ctx", arn)).to.equal(arn));
    }
    for (const arn of invalid) {
      it(`refuses ${JSON.stringify(arn)}`, () => {
        expect(() => checkEdgeFunctionVersionArn("ctx", arn)).to.throw(
          `ctx: viewerRequestFunctionArn ${JSON.stringify(arn)} must be the numbered version ARN of a function in ` +
            "us-east-1 (its qualifiedArn with publish: true), never $LATEST or an unqualified ARN.",
        );
      });
    }
  });
});
