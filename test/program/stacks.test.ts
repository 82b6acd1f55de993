import { expect } from "chai";
import { RecordedResource, providerOf } from "../mocks";
import { expectPrivateBucket, settingOf } from "../support/privateBucket";
import { ProgramRun, expectProgramRefused, runProgram } from "../support/program";

/** What each committed stack file asks for, in its own terms. */
interface StackExpectation {
  readonly stack: string;
  readonly protect: boolean;
  readonly branchChannels: boolean;
  readonly pageTtl: number;
  readonly noncurrentDays: number;
  readonly logDays?: number;
  readonly priceClass: string;
  readonly customDomain?: string;
  readonly wafRateLimit?: number;
  readonly replicaRegions: string[];
}

const STACKS: StackExpectation[] = [
  {
    stack: "dev",
    protect: false,
    branchChannels: true,
    pageTtl: 10,
    noncurrentDays: 7,
    priceClass: "PriceClass_100",
    // WAF is on by default on every stack (config schema), at its default rate.
    wafRateLimit: 2000,
    replicaRegions: [],
  },
  {
    stack: "staging",
    protect: false,
    branchChannels: false,
    pageTtl: 60,
    // Not set in the stack file: the component's default applies.
    noncurrentDays: 30,
    logDays: 30,
    priceClass: "PriceClass_100",
    // WAF is on by default on every stack (config schema), at its default rate.
    wafRateLimit: 2000,
    replicaRegions: [],
  },
  {
    stack: "prod",
    protect: true,
    branchChannels: false,
    pageTtl: 60,
    noncurrentDays: 90,
    logDays: 365,
    priceClass: "PriceClass_All",
    customDomain: "pypi.example.com",
    wafRateLimit: 2000,
    replicaRegions: ["eu-west-1"],
  },
];

/** Types whose physical name is in another input than `name` (or `namePrefix`). */
const NAME_INPUT: Record<string, string> = {
  "aws:s3/bucket:Bucket": "bucketPrefix",
  "aws:codeartifact/domain:Domain": "domain",
};

/**
 * AWS types without a physical name of their own: AWS assigns an id, or the name lives inside a
 * parent that is named after the stack (bucket settings, role policies, CodeArtifact repositories).
 */
const UNNAMED_TYPES = new Set([
  "aws:acm/certificate:Certificate",
  "aws:acm/certificateValidation:CertificateValidation",
  "aws:cloudfront/distribution:Distribution",
  "aws:codeartifact/domainPermissions:DomainPermissions",
  "aws:codeartifact/repository:Repository",
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:kms/key:Key",
  "aws:lambda/functionUrl:FunctionUrl",
  "aws:lambda/permission:Permission",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
]);

/** Route 53 records are named after the custom domain they serve, not after the stack. */
const DNS_NAMED_TYPES = new Set(["aws:route53/record:Record"]);

/** The pattern a named type's physical name must match in `stack`. */
function expectedName(type: string, stack: string): RegExp {
  switch (type) {
    case "aws:cloudwatch/logGroup:LogGroup":
      // Lambda names its log groups; Lambda@Edge replicas add the home region.
      return new RegExp(`^/aws/lambda/(us-east-1\\.)?ppi-${stack}-`);
    case "aws:kms/alias:Alias":
      return new RegExp(`^alias/ppi-${stack}-`);
    case "aws:codeartifact/domain:Domain":
      // Exactly the prefix, no dash: the deployer is scoped to this one domain ARN (stackScope.ts).
      return new RegExp(`^ppi-${stack}$`);
    default:
      return new RegExp(`^ppi-${stack}-`);
  }
}

/** Every AWS resource's physical name, or why it has none; fails on types not classified above. */
function physicalNames(resources: readonly RecordedResource[]): { type: string; name: string }[] {
  const names: { type: string; name: string }[] = [];
  for (const resource of resources.filter((r) => r.type.startsWith("aws:"))) {
    const { type, inputs } = resource;
    const name = NAME_INPUT[type] ? inputs[NAME_INPUT[type]] : (inputs.name ?? inputs.namePrefix);
    if (UNNAMED_TYPES.has(type)) {
      expect(name, `${type} ${resource.name} is listed as unnamed but has a name`).to.equal(undefined);
    } else if (!DNS_NAMED_TYPES.has(type)) {
      expect(name, `${type} ${resource.name}: no physical name; name it or list the type as unnamed`).to.be.a(
        "string",
      );
      names.push({ type, name });
    }
  }
  return names;
}

for (const expected of STACKS) {
  describe(`program: stack ${expected.stack}`, () => {
    let run: ProgramRun;
    let cdn: RecordedResource;
    before(async () => {
      run = await runProgram(expected.stack);
      cdn = run.recorder.one("aws:cloudfront/distribution:Distribution");
    });

    it("creates every AWS resource through the one explicit provider, in the stack's region, tagged Stack", () => {
      const provider = run.recorder.one("pulumi:providers:aws");
      expect(provider.inputs.region).to.equal("eu-west-1");
      expect(JSON.parse(provider.inputs.defaultTags).tags.Stack).to.equal(expected.stack);
      const elsewhere = run.recorder.customResources
        .filter((r) => r.type.startsWith("aws:") && providerOf(r) !== "pulumi:providers:aws::aws")
        .map((r) => r.name);
      expect(elsewhere).to.deep.equal([]);
    });

    it("names every physical resource ppi-<stack>-…", () => {
      const names = physicalNames(run.recorder.customResources);
      expect(names.length).to.be.greaterThan(20);
      const misnamed = names.filter(({ type, name }) => !expectedName(type, expected.stack).test(name));
      expect(misnamed).to.deep.equal([]);
    });

    it("keeps every bucket private", () => {
      const buckets = run.recorder.ofType("aws:s3/bucket:Bucket");
      expect(buckets.length).to.equal(expected.logDays === undefined ? 1 : 2);
      for (const bucket of buckets) expectPrivateBucket(run.recorder, bucket);
    });

    it("lets only this distribution read the content bucket, through an OAC that always signs", () => {
      const content = run.recorder.one("aws:s3/bucket:Bucket", "-content");
      const policy = JSON.parse(
        settingOf(run.recorder, "aws:s3/bucketPolicy:BucketPolicy", content).inputs.policy,
      );
      const sources = policy.Statement.filter((s: { Effect: string }) => s.Effect === "Allow").map(
        (s: { Condition: { StringEquals: Record<string, string> } }) =>
          s.Condition.StringEquals["AWS:SourceArn"],
      );
      expect(sources).to.deep.equal([cdn.outputs.arn, cdn.outputs.arn]);
      const oac = run.recorder.one("aws:cloudfront/originAccessControl:OriginAccessControl", "index-oac");
      const uploadOac = run.recorder.one(
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "upload-oac",
      );
      for (const control of [oac, uploadOac]) expect(control.inputs.signingBehavior).to.equal("always");
      expect(uploadOac.inputs.originAccessControlOriginType).to.equal("lambda");
      expect(
        cdn.inputs.origins.map((o: { originAccessControlId: string }) => o.originAccessControlId),
      ).to.deep.equal([oac.id, uploadOac.id]);
    });

    it("runs the exported edge function version at viewer-request on every behaviour, the origin-response function on pages and files, the body signer on uploads, over HTTPS only", () => {
      const fn = run.recorder.one("aws:lambda/function:Function", "viewer-request-function");
      const originResponse = run.recorder.one("aws:lambda/function:Function", "origin-response-function");
      const signer = run.recorder.one("aws:lambda/function:Function", "upload-signer-function");
      expect(run.outputs.edgeFunctionQualifiedArn).to.equal(fn.outputs.qualifiedArn);
      expect(run.outputs.originResponseFunctionQualifiedArn).to.equal(originResponse.outputs.qualifiedArn);
      const behaviours = [cdn.inputs.defaultCacheBehavior, ...cdn.inputs.orderedCacheBehaviors];
      expect(behaviours.map((b) => b.pathPattern)).to.deep.equal([
        undefined,
        "/legacy/*",
        "/_/oidc/*",
        "/_errors/*",
        "/files/*",
        ...(expected.branchChannels ? ["/*/files/*"] : []),
      ]);
      const viewer = { eventType: "viewer-request", lambdaArn: fn.outputs.qualifiedArn, includeBody: false };
      const origin = {
        eventType: "origin-response",
        lambdaArn: originResponse.outputs.qualifiedArn,
        includeBody: false,
      };
      const body = { eventType: "origin-request", lambdaArn: signer.outputs.qualifiedArn, includeBody: true };
      const expectedAssociations = (pathPattern: string | undefined) =>
        pathPattern === undefined || pathPattern.endsWith("/files/*")
          ? [viewer, origin]
          : pathPattern === "/_errors/*"
            ? // CloudFront's own page fetches: answered by the viewer function at origin-request.
              [viewer, { ...viewer, eventType: "origin-request" }]
            : [viewer, body];
      for (const behaviour of behaviours) {
        expect(behaviour.lambdaFunctionAssociations, behaviour.pathPattern).to.deep.equal(
          expectedAssociations(behaviour.pathPattern),
        );
        expect(behaviour.viewerProtocolPolicy).to.equal("https-only");
      }
      expect(run.outputs.uploadUrl).to.equal(
        `https://${expected.customDomain ?? cdn.outputs.domainName}/legacy/`,
      );
    });

    it("lets the edge function read the credentials table and its replicas, inside the stack's boundary", () => {
      const role = run.recorder.one("aws:iam/role:Role", "viewer-request-role");
      expect(role.inputs.permissionsBoundary).to.equal(
        run.recorder.one("aws:iam/policy:Policy", "boundary-policy").outputs.arn,
      );
      const table = run.recorder.one("aws:dynamodb/table:Table");
      const statements = JSON.parse(
        run.recorder.one("aws:iam/rolePolicy:RolePolicy", "viewer-request-policy").inputs.policy,
      ).Statement;
      const read = statements.find((s: { Sid: string }) => s.Sid === "ReadCredentials");
      expect(read.Action).to.equal("dynamodb:GetItem");
      expect(read.Resource).to.deep.equal([
        table.outputs.arn,
        ...expected.replicaRegions.map((region) => table.outputs.arn.replace(":us-east-1:", `:${region}:`)),
      ]);
      expect(statements.map((s: { Sid: string }) => s.Sid)).to.deep.equal([
        "ReadCredentials",
        "WriteOwnLogs",
      ]);
    });

    it("lets the fall-through function read only reserved-name lists and list JSON pages of this stack's bucket", () => {
      const role = run.recorder.one("aws:iam/role:Role", "origin-response-role");
      expect(role.inputs.permissionsBoundary).to.equal(
        run.recorder.one("aws:iam/policy:Policy", "boundary-policy").outputs.arn,
      );
      const statements = JSON.parse(
        run.recorder.one("aws:iam/rolePolicy:RolePolicy", "origin-response-policy").inputs.policy,
      ).Statement;
      const bucket = `arn:aws:s3:::ppi-${expected.stack}-index-*`;
      expect(statements.slice(0, 2)).to.deep.equal([
        {
          Sid: "ReadReservedNames",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `${bucket}/*/reserved-names.json`,
        },
        {
          Sid: "ListReservedNamesAndJsonPages",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: bucket,
          Condition: {
            StringLike: { "s3:prefix": ["*/reserved-names.json", "*/*/simple/*/index.json"] },
          },
        },
      ]);
      expect(statements.map((s: { Sid: string }) => s.Sid)).to.deep.equal([
        "ReadReservedNames",
        "ListReservedNamesAndJsonPages",
        "WriteOwnLogs",
      ]);
    });

    it("hands the edge function the stack's channels and the table it reads", () => {
      const table = run.recorder.one("aws:dynamodb/table:Table");
      expect(table.inputs.name).to.equal(`ppi-${expected.stack}-credentials`);
      expect(table.inputs.region).to.equal("us-east-1");
      expect((table.inputs.replicas ?? []).map((r: { regionName: string }) => r.regionName)).to.deep.equal(
        expected.replicaRegions,
      );
      expect(run.outputs.credentialsTableName).to.equal(table.inputs.name);
    });

    it("applies the stack's cache, retention and price settings (or the components' defaults)", () => {
      expect(run.recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-pages").inputs.maxTtl).to.equal(
        expected.pageTtl,
      );
      const content = run.recorder.one("aws:s3/bucket:Bucket", "-content");
      const rules = settingOf(
        run.recorder,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        content,
      ).inputs.rules;
      const rule = (id: string) => rules.find((r: { id: string }) => r.id === id);
      expect(rule("expire-noncurrent-versions").noncurrentVersionExpiration.noncurrentDays).to.equal(
        expected.noncurrentDays,
      );
      expect(rule("expire-branch-channels") !== undefined).to.equal(expected.branchChannels);
      expect(cdn.inputs.priceClass).to.equal(expected.priceClass);
    });

    it("protects the bucket and the table exactly when the stack is protected", () => {
      const table = run.recorder.one("aws:dynamodb/table:Table");
      expect(run.recorder.one("aws:s3/bucket:Bucket", "-content").protect).to.equal(expected.protect);
      expect(table.protect).to.equal(expected.protect);
      expect(table.inputs.deletionProtectionEnabled).to.equal(expected.protect);
    });

    it("serves the custom domain over TLS 1.2 (2021) where configured, else the cloudfront.net name", () => {
      if (expected.customDomain) {
        expect(cdn.inputs.aliases).to.deep.equal([expected.customDomain]);
        expect(cdn.inputs.viewerCertificate.minimumProtocolVersion).to.equal("TLSv1.2_2021");
        expect(cdn.inputs.viewerCertificate.sslSupportMethod).to.equal("sni-only");
        expect(run.outputs.indexUrl).to.equal(`https://${expected.customDomain}/simple/`);
      } else {
        expect(cdn.inputs.viewerCertificate).to.deep.equal({ cloudfrontDefaultCertificate: true });
        expect(run.outputs.indexUrl).to.equal(`https://${cdn.outputs.domainName}/simple/`);
      }
    });

    it("logs to the log bucket and attaches the web ACL exactly where configured", () => {
      const logs = run.recorder.ofType("aws:s3/bucket:Bucket").filter((b) => b.name.endsWith("-logs"));
      expect(cdn.inputs.loggingConfig?.bucket).to.equal(logs[0]?.outputs.bucketDomainName);
      const logRules = logs.map(
        (b) =>
          settingOf(
            run.recorder,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            b,
          ).inputs.rules.find((r: { id: string }) => r.id === "expire-access-logs").expiration.days,
      );
      expect(logRules).to.deep.equal(expected.logDays === undefined ? [] : [expected.logDays]);
      const webAcls = run.recorder.ofType("aws:wafv2/webAcl:WebAcl");
      expect(webAcls.map((acl) => acl.inputs.rules.at(-1).statement.rateBasedStatement.limit)).to.deep.equal(
        expected.wafRateLimit === undefined ? [] : [expected.wafRateLimit],
      );
      expect(cdn.inputs.webAclId).to.equal(webAcls[0]?.outputs.arn);
    });
  });
}

describe("program: invalid configuration", () => {
  it("names every invalid key and registers no resource", async () => {
    const error = await expectProgramRefused(
      "dev",
      [
        "python-package-index:region is required but not set. expected an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported).",
        'python-package-index:priceClass is "PriceClass_1"; expected one of "PriceClass_100", "PriceClass_200", "PriceClass_All".',
        'python-package-index:pageCacheTtlSeconds is "0"; expected a whole number from 1 to 3600.',
      ],
      {
        config: {
          // Set empty: the CLI passes it, and the program must still refuse it.
          "python-package-index:region": "",
          "python-package-index:priceClass": "PriceClass_1",
          "python-package-index:pageCacheTtlSeconds": "0",
        },
      },
    );
    expect(error.name).to.equal("ConfigError");
  });

  for (const stackName of ["dev-eu", "Dev", "devstackwithaverylongname"]) {
    it(`refuses the stack name ${JSON.stringify(stackName)} before registering anything`, () =>
      expectProgramRefused(
        "dev",
        `Stack ${JSON.stringify(stackName)}: stack names must be 1-24 lowercase letters or digits, without dashes ` +
          `(physical names are ppi-<stack>-..., and a stack "dev" scoped to ppi-dev-* would also reach a ` +
          `stack "dev-eu"); rename the stack, e.g. "deveu".`,
        { stackName },
      ));
  }

  it("accepts a 24-character stack name of letters and digits", async () => {
    const stackName = "dev2eu3456789012345678ab";
    const { recorder } = await runProgram("dev", {
      stackName,
      // Publishing jobs must run in the environment named after the stack.
      config: { "python-package-index:publisherTrust": JSON.stringify([`environment:${stackName}`]) },
    });
    expect(recorder.one("aws:s3/bucket:Bucket").inputs.bucketPrefix).to.equal(`ppi-${stackName}-index-`);
  });

  it("refuses a custom domain without its hosted zone before registering anything", () =>
    expectProgramRefused(
      "prod",
      [
        "python-package-index:customDomain is set but python-package-index:hostedZoneId is not; set the Route 53 hosted zone that holds the domain.",
      ],
      { config: { "python-package-index:hostedZoneId": undefined } },
    ));
});
