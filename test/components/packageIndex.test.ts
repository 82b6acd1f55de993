import { expect } from "chai";
import { PackageIndex, PackageIndexArgs, checkEdgeFunctionVersionArn } from "../../components/packageIndex";
import {
  RecordedResource,
  ResourceRecorder,
  expectRefusedBeforeRegistering,
  settle,
  setupMocks,
  valueOf,
} from "../mocks";
import { expectPrivateBucket, settingOf } from "../support/privateBucket";

const EDGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-viewer-request:7";
const BUCKET = "aws:s3/bucket:Bucket";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

async function build(
  overrides: Partial<PackageIndexArgs> = {},
): Promise<{ recorder: ResourceRecorder; index: PackageIndex }> {
  const recorder = await setupMocks();
  const index = new PackageIndex("idx", {
    namePrefix: "ppi-test",
    viewerRequestFunctionArn: EDGE_ARN,
    ...overrides,
  });
  await valueOf(index.indexUrl);
  await settle();
  return { recorder, index };
}

/** One test per case: `PackageIndex` with the overrides is refused with the message, registering nothing. */
function itRefuses(cases: readonly [string, Partial<PackageIndexArgs>, string][]): void {
  for (const [what, overrides, message] of cases) {
    it(`refuses ${what}`, () =>
      expectRefusedBeforeRegistering(
        () =>
          new PackageIndex("idx", {
            namePrefix: "ppi-test",
            viewerRequestFunctionArn: EDGE_ARN,
            ...overrides,
          }),
        message,
      ));
  }
}

/** The default behaviour and every ordered one. */
function behaviours(cdn: RecordedResource): RecordedResource["inputs"][] {
  return [cdn.inputs.defaultCacheBehavior, ...(cdn.inputs.orderedCacheBehaviors ?? [])];
}

describe("PackageIndex", () => {
  describe("with defaults", () => {
    let recorder: ResourceRecorder;
    let index: PackageIndex;
    let cdn: RecordedResource;
    before(async () => {
      ({ recorder, index } = await build());
      cdn = recorder.one(DISTRIBUTION);
    });

    it("keeps the content bucket private, owner-enforced and versioned", () => {
      const bucket = recorder.one(BUCKET);
      expectPrivateBucket(recorder, bucket);
      const ownership = settingOf(recorder, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket);
      expect(ownership.inputs.rule.objectOwnership).to.equal("BucketOwnerEnforced");
      const versioning = settingOf(recorder, "aws:s3/bucketVersioning:BucketVersioning", bucket);
      expect(versioning.inputs.versioningConfiguration.status).to.equal("Enabled");
      expect(bucket.protect).to.equal(false);
    });

    it("lets CloudFront read objects and list (for 404s) only on behalf of this distribution", async () => {
      const bucket = recorder.one(BUCKET);
      const policy = JSON.parse(
        settingOf(recorder, "aws:s3/bucketPolicy:BucketPolicy", bucket).inputs.policy,
      );
      const grants = policy.Statement.filter((s: { Effect: string }) => s.Effect === "Allow");
      expect(grants.map((s: { Action: string }) => s.Action)).to.have.members([
        "s3:GetObject",
        "s3:ListBucket",
      ]);
      const distributionArn = await valueOf(index.distributionArn);
      for (const grant of grants) {
        expect(grant.Principal).to.deep.equal({ Service: "cloudfront.amazonaws.com" });
        expect(grant.Condition).to.deep.equal({ StringEquals: { "AWS:SourceArn": distributionArn } });
      }
      const bucketArn = await valueOf(index.bucketArn);
      expect(grants.find((s: { Action: string }) => s.Action === "s3:GetObject").Resource).to.equal(
        `${bucketArn}/*`,
      );
      expect(grants.find((s: { Action: string }) => s.Action === "s3:ListBucket").Resource).to.equal(
        bucketArn,
      );
    });

    it("reaches the bucket through an origin access control that signs every request", async () => {
      const oac = recorder.one("aws:cloudfront/originAccessControl:OriginAccessControl").inputs;
      expect(oac.signingBehavior).to.equal("always");
      expect(oac.signingProtocol).to.equal("sigv4");
      expect(oac.originAccessControlOriginType).to.equal("s3");
      const [origin] = cdn.inputs.origins;
      expect(cdn.inputs.origins).to.have.length(1);
      expect(origin.originAccessControlId).to.equal(await valueOf(index.originAccessControl.id));
      expect(origin.domainName).to.equal(await valueOf(index.bucket.bucketRegionalDomainName));
      expect(origin).not.to.have.property("s3OriginConfig");
    });

    it("accepts HTTPS only (no redirect from HTTP), allows only reads and runs the edge function's version on every behaviour", () => {
      expect(behaviours(cdn)).to.have.length(3);
      for (const behaviour of behaviours(cdn)) {
        expect(behaviour.viewerProtocolPolicy).to.equal("https-only");
        expect(behaviour.allowedMethods).to.have.members(["GET", "HEAD", "OPTIONS"]);
        expect(behaviour.lambdaFunctionAssociations[0]).to.deep.equal({
          eventType: "viewer-request",
          lambdaArn: EDGE_ARN,
          includeBody: false,
        });
      }
    });

    it("answers every S3 error with the edge's fixed page, never S3's body, and runs origin-request only there", () => {
      const pages = cdn.inputs.orderedCacheBehaviors[0];
      expect(pages.pathPattern).to.equal("/_errors/*");
      expect(pages.lambdaFunctionAssociations).to.deep.equal([
        { eventType: "viewer-request", lambdaArn: EDGE_ARN, includeBody: false },
        { eventType: "origin-request", lambdaArn: EDGE_ARN, includeBody: false },
      ]);
      for (const behaviour of behaviours(cdn).filter((b) => b !== pages))
        expect(behaviour.lambdaFunctionAssociations).to.have.length(1);
      expect(cdn.inputs.customErrorResponses).to.deep.equal(
        [400, 403, 404, 416, 500, 503].map((code) => ({
          errorCode: code,
          responseCode: code,
          responsePagePath: `/_errors/${code}`,
          errorCachingMinTtl: code === 404 ? 60 : 0,
        })),
      );
    });

    it("keeps Authorization (and every header, cookie and query) out of both cache keys", () => {
      for (const policy of recorder.ofType("aws:cloudfront/cachePolicy:CachePolicy")) {
        const key = policy.inputs.parametersInCacheKeyAndForwardedToOrigin;
        expect(key.headersConfig, policy.name).to.deep.equal({ headerBehavior: "none" });
        expect(key.cookiesConfig, policy.name).to.deep.equal({ cookieBehavior: "none" });
        expect(key.queryStringsConfig, policy.name).to.deep.equal({ queryStringBehavior: "none" });
      }
    });

    it("caps pages at a minute and keeps immutable files for a year", () => {
      const pages = recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-pages").inputs;
      expect([pages.minTtl, pages.maxTtl]).to.deep.equal([0, 60]);
      const files = recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-files").inputs;
      expect(files.maxTtl).to.equal(365 * 24 * 3600);
      const filesBehaviour = cdn.inputs.orderedCacheBehaviors[1];
      expect(filesBehaviour.pathPattern).to.equal("/files/*");
      expect(filesBehaviour.cachePolicyId).to.equal(
        recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-files").id,
      );
    });

    it("sends HSTS for at least a year with subdomains, nosniff, DENY framing and Vary: Accept", () => {
      const headers = recorder.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").inputs;
      const security = headers.securityHeadersConfig;
      expect(security.strictTransportSecurity.accessControlMaxAgeSec).to.be.at.least(31_536_000);
      expect(security.strictTransportSecurity.includeSubdomains).to.equal(true);
      expect(security.contentTypeOptions.override).to.equal(true);
      expect(security.frameOptions.frameOption).to.equal("DENY");
      expect(headers.customHeadersConfig.items).to.deep.include({
        header: "Vary",
        value: "Accept",
        override: true,
      });
      for (const behaviour of behaviours(cdn))
        expect(behaviour.responseHeadersPolicyId).to.equal(
          recorder.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").id,
        );
    });

    it("serves the cloudfront.net name with its certificate, without logs or a web ACL", async () => {
      expect(cdn.inputs.viewerCertificate).to.deep.equal({ cloudfrontDefaultCertificate: true });
      expect(cdn.inputs.aliases).to.deep.equal([]);
      expect(cdn.inputs).not.to.have.property("loggingConfig");
      expect(cdn.inputs).not.to.have.property("webAclId");
      expect(await valueOf(index.indexUrl)).to.equal(`https://${await valueOf(index.domainName)}/simple/`);
      expect(index.certificate).to.equal(undefined);
      expect(index.webAcl).to.equal(undefined);
      expect(index.accessLogBucket).to.equal(undefined);
    });

    it("exposes the distribution and the alias target of its name", async () => {
      expect(await valueOf(index.distribution.id)).to.equal(cdn.id);
      expect(await valueOf(index.hostedZoneId)).to.equal(cdn.outputs.hostedZoneId);
      expect(await valueOf(index.domainName)).to.equal(cdn.outputs.domainName);
      expect(await valueOf(index.bucketName)).to.equal(recorder.one(BUCKET).outputs.bucket);
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

    it("expires only objects tagged as branch-channel content after the given days", () => {
      const rules = recorder.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
        .rules;
      const branch = rules.find((r: { id: string }) => r.id === "expire-branch-channels");
      expect(branch.filter).to.deep.equal({ tag: { key: "ppi-channel-kind", value: "branch" } });
      expect(branch.expiration).to.deep.equal({ days: 7 });
      const noncurrent = rules.find((r: { id: string }) => r.id === "expire-noncurrent-versions");
      expect(noncurrent.noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 90 });
      // Current versions of release files never expire.
      const expiringCurrent = rules.filter((r: { expiration?: { days?: number } }) => r.expiration?.days);
      expect(expiringCurrent.map((r: { id: string }) => r.id)).to.deep.equal(["expire-branch-channels"]);
    });

    it("serves channel files through the edge function too", () => {
      const cdn = recorder.one(DISTRIBUTION);
      expect(
        cdn.inputs.orderedCacheBehaviors.map((b: { pathPattern: string }) => b.pathPattern),
      ).to.deep.equal(["/_errors/*", "/files/*", "/*/files/*"]);
      for (const behaviour of behaviours(cdn))
        expect(behaviour.lambdaFunctionAssociations[0].lambdaArn).to.equal(EDGE_ARN);
      expect(cdn.inputs.priceClass).to.equal("PriceClass_All");
    });

    it("caps index pages and remembered 404s at the given TTL", () => {
      expect(recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-pages").inputs.maxTtl).to.equal(10);
      const remembered = recorder
        .one(DISTRIBUTION)
        .inputs.customErrorResponses.filter((r: { errorCachingMinTtl: number }) => r.errorCachingMinTtl > 0);
      expect(remembered).to.deep.equal([
        { errorCode: 404, responseCode: 404, responsePagePath: "/_errors/404", errorCachingMinTtl: 10 },
      ]);
    });

    it("protects the content bucket and nothing else", () => {
      expect(recorder.customResources.filter((r) => r.protect).map((r) => r.type)).to.deep.equal([BUCKET]);
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

    it("requests a DNS-validated certificate in us-east-1, validated in the given zone", () => {
      const certificate = recorder.one("aws:acm/certificate:Certificate").inputs;
      expect([certificate.region, certificate.domainName, certificate.validationMethod]).to.deep.equal([
        "us-east-1",
        "pypi.example.com",
        "DNS",
      ]);
      const validation = recorder.one("aws:route53/record:Record", "certificate-validation").inputs;
      expect(validation.zoneId).to.equal("ZEXAMPLE");
      expect(recorder.one("aws:acm/certificateValidation:CertificateValidation").inputs.region).to.equal(
        "us-east-1",
      );
    });

    it("serves the domain with the validated certificate, SNI and TLS 1.2 (2021) at least", async () => {
      const cdn = recorder.one(DISTRIBUTION).inputs;
      expect(cdn.aliases).to.deep.equal(["pypi.example.com"]);
      expect(cdn.viewerCertificate).to.deep.equal({
        acmCertificateArn: await valueOf(index.certificate!.certificateArn),
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      });
    });

    it("points IPv4 and IPv6 alias records at the distribution", async () => {
      for (const type of ["A", "AAAA"]) {
        const record = recorder.one("aws:route53/record:Record", `-alias-${type.toLowerCase()}`).inputs;
        expect([record.zoneId, record.name, record.type]).to.deep.equal([
          "ZEXAMPLE",
          "pypi.example.com",
          type,
        ]);
        expect(record.aliases).to.deep.equal([
          {
            name: await valueOf(index.domainName),
            zoneId: await valueOf(index.hostedZoneId),
            evaluateTargetHealth: false,
          },
        ]);
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

    it("writes them to a second private bucket that accepts CloudFront's ACL-based delivery", () => {
      const logs = recorder.one(BUCKET, "-logs");
      expectPrivateBucket(recorder, logs);
      expect(logs.inputs.bucketPrefix).to.equal("ppi-test-logs-");
      const ownership = settingOf(recorder, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", logs);
      expect(ownership.inputs.rule.objectOwnership).to.equal("BucketOwnerPreferred");
      expect(
        recorder.ofType("aws:s3/bucketVersioning:BucketVersioning").map((v) => v.inputs.bucket),
      ).to.deep.equal([recorder.one(BUCKET, "-content").id]);
    });

    it("expires the logs after the given days", () => {
      const logs = recorder.one(BUCKET, "-logs");
      const rules = settingOf(
        recorder,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        logs,
      ).inputs.rules;
      expect(rules.find((r: { id: string }) => r.id === "expire-access-logs").expiration).to.deep.equal({
        days: 30,
      });
    });

    it("points the distribution's standard logging at it, without cookies", async () => {
      expect(recorder.one(DISTRIBUTION).inputs.loggingConfig).to.deep.include({
        bucket: await valueOf(index.accessLogBucket!.domainName),
        includeCookies: false,
      });
      expect(await valueOf(index.accessLogBucketName!)).to.equal(
        recorder.one(BUCKET, "-logs").outputs.bucket,
      );
    });
  });

  describe("with a WAF rate limit", () => {
    let recorder: ResourceRecorder;
    let index: PackageIndex;
    before(async () => ({ recorder, index } = await build({ wafRateLimit: 500 })));

    it("creates a CLOUDFRONT-scope web ACL in us-east-1 whose last rule blocks an IP above the limit", () => {
      const acl = recorder.one("aws:wafv2/webAcl:WebAcl").inputs;
      expect([acl.region, acl.scope]).to.deep.equal(["us-east-1", "CLOUDFRONT"]);
      const rate = acl.rules.at(-1);
      expect(rate.action).to.deep.equal({ block: {} });
      expect(rate.statement.rateBasedStatement).to.deep.include({ aggregateKeyType: "IP", limit: 500 });
    });

    it("attaches the web ACL to the distribution", async () => {
      expect(recorder.one(DISTRIBUTION).inputs.webAclId).to.equal(await valueOf(index.webAcl!.arn));
    });
  });

  describe("pass-through and tags", () => {
    it("merges distributionArgs and bucketArgs, and tags the taggable children", async () => {
      const { recorder } = await build({
        tags: { CostCenter: "pkg" },
        distributionArgs: {
          comment: "team index",
          restrictions: { geoRestriction: { restrictionType: "whitelist", locations: ["DE"] } },
        },
        bucketArgs: { objectLockEnabled: true },
        accessLogs: true,
      });
      const cdn = recorder.one(DISTRIBUTION).inputs;
      expect(cdn.comment).to.equal("team index");
      expect(cdn.restrictions.geoRestriction).to.deep.equal({
        restrictionType: "whitelist",
        locations: ["DE"],
      });
      expect(cdn.tags).to.deep.equal({ CostCenter: "pkg" });
      expect(recorder.one(BUCKET, "-content").inputs).to.deep.include({
        objectLockEnabled: true,
        tags: { CostCenter: "pkg" },
      });
      expect(recorder.one(BUCKET, "-logs").inputs.tags).to.deep.equal({ CostCenter: "pkg" });
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
      [
        "$LATEST as the edge function",
        { viewerRequestFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST" },
        'PackageIndex idx: viewerRequestFunctionArn "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST" must be the numbered version ARN of a function in us-east-1 (its qualifiedArn with publish: true), never $LATEST or an unqualified ARN.',
      ],
      [
        "an unpublished origin-response function",
        { originResponseFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f" },
        'PackageIndex idx: originResponseFunctionArn "arn:aws:lambda:us-east-1:123456789012:function:f" must be the numbered version ARN of a function in us-east-1 (its qualifiedArn with publish: true), never $LATEST or an unqualified ARN.',
      ],
      [
        "an uppercase custom domain",
        { customDomain: { name: "PyPI.example.com", hostedZoneId: "ZEXAMPLE" } },
        'PackageIndex idx: customDomain name "PyPI.example.com" is not a lowercase DNS host name such as pypi.example.com.',
      ],
      [
        "an aws: tag",
        { tags: { "aws:owner": "me" } },
        'PackageIndex idx: tag key "aws:owner" must be 1-128 letters, digits, spaces or _.:/=+-@ and must not start with "aws:".',
      ],
      [
        "a distribution field the component owns",
        { distributionArgs: { viewerCertificate: { cloudfrontDefaultCertificate: true } } as never },
        "PackageIndex idx: distributionArgs may set only comment, httpVersion, isIpv6Enabled, restrictions, retainOnDelete, staging, continuousDeploymentPolicyId, waitForDeployment; viewerCertificate is the component's own (security-relevant or derived from other args).",
      ],
      [
        "a bucket field the component owns",
        { bucketArgs: { acl: "public-read" } as never },
        "PackageIndex idx: bucketArgs may set only objectLockEnabled, accelerationStatus; acl is the component's own (security-relevant or derived from other args).",
      ],
    ];
    itRefuses(cases);
  });

  describe("with an origin-response function (upstream fall-through)", () => {
    const ORIGIN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-origin-response:3";
    for (const branchChannels of [false, true]) {
      it(`runs it on the pages behaviour only, after the viewer-request function${branchChannels ? " (branch channels)" : ""}`, async () => {
        const { recorder } = await build({ originResponseFunctionArn: ORIGIN_ARN, branchChannels });
        const cdn = recorder.one(DISTRIBUTION);
        expect(cdn.inputs.defaultCacheBehavior.lambdaFunctionAssociations).to.deep.equal([
          { eventType: "viewer-request", lambdaArn: EDGE_ARN, includeBody: false },
          { eventType: "origin-response", lambdaArn: ORIGIN_ARN, includeBody: false },
        ]);
        const ordered = cdn.inputs.orderedCacheBehaviors;
        expect(ordered.map((b: { pathPattern: string }) => b.pathPattern)).to.deep.equal(
          branchChannels ? ["/_errors/*", "/files/*", "/*/files/*"] : ["/_errors/*", "/files/*"],
        );
        // Files and the fixed error pages never fall through.
        for (const behaviour of ordered) {
          const events = behaviour.lambdaFunctionAssociations.map((a: { eventType: string }) => a.eventType);
          expect(events).to.deep.equal(
            behaviour.pathPattern === "/_errors/*"
              ? ["viewer-request", "origin-request"]
              : ["viewer-request"],
          );
        }
      });
    }
  });

  describe("with the upload function behind it", () => {
    const ORIGIN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-origin-response:3";
    const SIGNER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-upload-signer:2";
    const UPLOAD_HOST = "ppitestupload.lambda-url.eu-west-1.on.aws";
    const TABLE_READ = {
      Sid: "ReadCredentials",
      Effect: "Allow" as const,
      Action: "dynamodb:GetItem",
      Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/ppi-test-credentials",
    };
    /** A handler that refuses any bucket but this index's, so the test sees what the index supplies. */
    const upload = {
      function: {
        functionName: "ppi-test-upload",
        handlerFactory: (config: { bucketName: string; realm: string }) => {
          if (!/^ppi-test-index-/.test(config.bucketName)) throw new Error(`bucket ${config.bucketName}`);
          return () => async () => ({ statusCode: 200, body: config.realm });
        },
        handlerConfig: { realm: "acme" },
        policyStatements: [TABLE_READ],
      },
      bodySignerFunctionArn: SIGNER_ARN,
    } as unknown as PackageIndexArgs["upload"];
    let recorder: ResourceRecorder;
    let index: PackageIndex;
    let cdn: RecordedResource;
    before(async () => {
      ({ recorder, index } = await build({
        originResponseFunctionArn: ORIGIN_ARN,
        upload,
        branchChannels: true,
        tags: { Team: "platform" },
      }));
      cdn = recorder.one(DISTRIBUTION);
    });

    it("reaches the function URL over HTTPS through an origin access control of type lambda that signs every request", () => {
      const oac = recorder.one("aws:cloudfront/originAccessControl:OriginAccessControl", "-upload-oac");
      expect(oac.inputs).to.deep.include({
        name: "ppi-test-upload",
        originAccessControlOriginType: "lambda",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      });
      const origin = cdn.inputs.origins.find((o: { originId: string }) => o.originId === "upload-function");
      expect(origin).to.deep.equal({
        originId: "upload-function",
        domainName: UPLOAD_HOST,
        originAccessControlId: oac.id,
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: "https-only",
          originSslProtocols: ["TLSv1.2"],
          originReadTimeout: 30,
          originKeepaliveTimeout: 5,
        },
      });
    });

    it("creates the upload function with the index's bucket in its config and on its role, besides the given statements", async () => {
      const bucket = recorder.one(BUCKET).outputs.bucket;
      const statements = JSON.parse(recorder.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
      expect(statements[0]).to.deep.equal(TABLE_READ);
      expect(statements.slice(1, -1).map((st: { Sid: string }) => st.Sid)).to.deep.equal([
        "UploadReadTenantObjects",
        "UploadWriteTenantPages",
        "UploadCreateTenantFiles",
        "UploadTagBranchChannelObjects",
        "UploadDenyTaggingMainChannel",
        "UploadListTenantObjects",
      ]);
      expect(statements[2].Resource).to.include(`arn:aws:s3:::${bucket}/*/*/simple/*/index.json`);
      expect(statements[3]).to.deep.include({
        Resource: [`arn:aws:s3:::${bucket}/*/*/files/*/*`],
        Condition: { StringEquals: { "s3:if-none-match": "*" } },
      });
      expect(statements.at(-1).Sid).to.equal("WriteOwnLogs");
      const fn = recorder.one("aws:lambda/function:Function");
      expect(fn.parent).to.equal("python-package-index:upload:UploadFunction::idx-upload");
      expect(fn.inputs.tags).to.deep.equal({ Team: "platform" });
    });

    it("lets the CloudFront service invoke the URL for this distribution alone, both actions a function URL needs", () => {
      const permissions = recorder.ofType("aws:lambda/permission:Permission").map((p) => p.inputs);
      const sourceArn = recorder.one(DISTRIBUTION).outputs.arn;
      expect(permissions).to.deep.equal([
        {
          function: "ppi-test-upload",
          principal: "cloudfront.amazonaws.com",
          sourceArn,
          statementId: "AllowCloudFrontInvokeFunctionUrl",
          action: "lambda:InvokeFunctionUrl",
          functionUrlAuthType: "AWS_IAM",
        },
        {
          function: "ppi-test-upload",
          principal: "cloudfront.amazonaws.com",
          sourceArn,
          statementId: "AllowCloudFrontInvokeViaFunctionUrl",
          action: "lambda:InvokeFunction",
          invokedViaFunctionUrl: true,
        },
      ]);
    });

    it("sends /legacy/* and /_/oidc/* there, first, with every method, nothing cached and the body signer at origin-request", () => {
      const [legacy, oidc, ...rest] = cdn.inputs.orderedCacheBehaviors;
      const policy = recorder.one("aws:cloudfront/originRequestPolicy:OriginRequestPolicy");
      for (const [behaviour, pathPattern] of [
        [legacy, "/legacy/*"],
        [oidc, "/_/oidc/*"],
      ]) {
        expect(behaviour.pathPattern).to.equal(pathPattern);
        expect(behaviour.targetOriginId).to.equal("upload-function");
        expect(behaviour.viewerProtocolPolicy).to.equal("https-only");
        expect(behaviour.allowedMethods).to.have.members([
          "DELETE",
          "GET",
          "HEAD",
          "OPTIONS",
          "PATCH",
          "POST",
          "PUT",
        ]);
        expect(behaviour.cachePolicyId).to.equal("4135ea2d-6df8-44a3-9df3-4b5a84be39ad"); // Managed-CachingDisabled
        expect(behaviour.originRequestPolicyId).to.equal(policy.id);
        expect(behaviour.lambdaFunctionAssociations).to.deep.equal([
          { eventType: "viewer-request", lambdaArn: EDGE_ARN, includeBody: false },
          { eventType: "origin-request", lambdaArn: SIGNER_ARN, includeBody: true },
        ]);
      }
      // POST nowhere else.
      for (const behaviour of [cdn.inputs.defaultCacheBehavior, ...rest])
        expect(behaviour.allowedMethods).to.have.members(["GET", "HEAD", "OPTIONS"]);
    });

    it("forwards only the content type and the moved credentials: not Host, not Authorization, no cookie or query", () => {
      const policy = recorder.one("aws:cloudfront/originRequestPolicy:OriginRequestPolicy");
      expect(policy.inputs).to.deep.include({
        name: "ppi-test-upload",
        headersConfig: {
          headerBehavior: "whitelist",
          headers: { items: ["content-type", "x-ppi-authorization"] },
        },
        cookiesConfig: { cookieBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
      });
    });

    it("leaves 400 and 403 to the function's own bodies and replaces S3's at origin-response on pages and files", () => {
      expect(cdn.inputs.customErrorResponses.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([
        404, 416, 500, 503,
      ]);
      const originResponse = { eventType: "origin-response", lambdaArn: ORIGIN_ARN, includeBody: false };
      const s3Behaviours = [
        cdn.inputs.defaultCacheBehavior,
        ...cdn.inputs.orderedCacheBehaviors.filter((b: { pathPattern: string }) =>
          b.pathPattern.includes("files"),
        ),
      ];
      expect(s3Behaviours).to.have.length(3);
      for (const behaviour of s3Behaviours)
        expect(behaviour.lambdaFunctionAssociations).to.deep.include(originResponse);
    });

    it("lets the deployer change the new OAC and origin-request policy (cloudFrontArns)", async () => {
      const arns = await valueOf(index.cloudFrontArns);
      expect(arns).to.include(
        recorder.one("aws:cloudfront/originAccessControl:OriginAccessControl", "-upload-oac").outputs.arn,
      );
      expect(arns).to.include(
        recorder.one("aws:cloudfront/originRequestPolicy:OriginRequestPolicy").outputs.arn,
      );
    });

    itRefuses([
      [
        "an upload without an origin-response function",
        { upload },
        "PackageIndex idx: upload needs originResponseFunctionArn: the upload function's 400 and 403 bodies say what is wrong, so those statuses leave the distribution-wide custom error responses, and the origin-response function (edge/originResponse.ts) replaces S3's bodies of them instead.",
      ],
      [
        "an upload with an unpublished body signer",
        {
          originResponseFunctionArn: ORIGIN_ARN,
          upload: {
            ...upload!,
            bodySignerFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:s",
          },
        },
        'PackageIndex idx: upload.bodySignerFunctionArn "arn:aws:lambda:us-east-1:123456789012:function:s" must be the numbered version ARN of a function in us-east-1 (its qualifiedArn with publish: true), never $LATEST or an unqualified ARN.',
      ],
      [
        "an upload with a function timeout CloudFront would not wait for",
        {
          originResponseFunctionArn: ORIGIN_ARN,
          upload: {
            ...upload!,
            function: { ...upload!.function, timeout: 40 },
          },
        },
        "PackageIndex idx: upload.function: timeout (seconds; below CloudFront's 30-second response timeout) is 40; expected a whole number from 1 to 29.",
      ],
    ] as [string, Partial<PackageIndexArgs>, string][]);
  });

  describe("the trusted-publishing audience in the upload function's config", () => {
    const ORIGIN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-origin-response:3";
    const SIGNER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ppi-test-upload-signer:2";
    /** The upload arguments with a handler factory that records each audience it is built with. */
    function recordingUpload(seen: string[], audience?: string): PackageIndexArgs["upload"] {
      return {
        function: {
          functionName: "ppi-test-upload",
          handlerFactory: (config: { trustedPublishingAudience: string }) => {
            seen.push(config.trustedPublishingAudience);
            return () => async () => ({ statusCode: 200 });
          },
          handlerConfig: {},
        },
        bodySignerFunctionArn: SIGNER_ARN,
        ...(audience !== undefined ? { trustedPublishingAudience: audience } : {}),
      } as unknown as PackageIndexArgs["upload"];
    }
    const customDomain = { name: "pypi.example.com", hostedZoneId: "ZEXAMPLE" };

    for (const [what, overrides, audience, expected] of [
      ["is the name prefix without a custom domain", {}, undefined, "ppi-test"],
      ["is the custom domain's name with one", { customDomain }, undefined, "pypi.example.com"],
      ["is the given one when set", { customDomain }, "index.acme.example", "index.acme.example"],
    ] as const) {
      it(what, async () => {
        const seen: string[] = [];
        await build({
          originResponseFunctionArn: ORIGIN_ARN,
          upload: recordingUpload(seen, audience),
          ...overrides,
        });
        expect([...new Set(seen)]).to.deep.equal([expected]);
      });
    }

    itRefuses([
      [
        "an audience with a space",
        { originResponseFunctionArn: ORIGIN_ARN, upload: recordingUpload([], "my index") },
        'PackageIndex idx: upload.trustedPublishingAudience "my index" must be 1-255 printable ASCII characters without spaces, e.g. the index host name.',
      ],
      [
        "an empty audience",
        { originResponseFunctionArn: ORIGIN_ARN, upload: recordingUpload([], "") },
        'PackageIndex idx: upload.trustedPublishingAudience "" must be 1-255 printable ASCII characters without spaces, e.g. the index host name.',
      ],
    ]);
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
