import { expect } from "chai";
import { RecordedResource } from "../mocks";
import { PACKAGE_INDEX_BASE_COUNTS } from "../support/packageIndexResources";
import { ProgramRun, runFailingProgram, runProgram } from "../support/program";

/** Resource types of the edge index (other areas assert their own types in their own tests). */
const EDGE_INDEX_TYPE_PREFIXES = [
  "pulumi:providers:aws",
  "aws:s3/",
  "aws:cloudfront/",
  "aws:dynamodb/",
  "aws:acm/",
  "aws:route53/",
  "aws:wafv2/",
  "aws:lambda/",
];

function isEdgeIndexType(type: string): boolean {
  return EDGE_INDEX_TYPE_PREFIXES.some((prefix) => type.startsWith(prefix));
}

const BUCKET_AND_CDN = {
  ...PACKAGE_INDEX_BASE_COUNTS,
  "aws:dynamodb/table:Table": 1,
  "aws:lambda/function:Function": 1,
  "pulumi:providers:aws": 1,
};
/** The access-log bucket: a second private bucket without versioning. */
const WITH_ACCESS_LOGS = {
  "aws:s3/bucket:Bucket": 2,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 2,
  "aws:s3/bucketPolicy:BucketPolicy": 2,
};

interface StackExpectation {
  readonly stack: string;
  readonly counts: Record<string, number>;
  readonly indexUrl: string;
  readonly protect: boolean;
  readonly branchChannels: boolean;
  readonly pageTtl: number;
  readonly noncurrentDays: number;
  readonly logDays?: number;
  readonly priceClass: string;
  readonly customDomain?: string;
  readonly accessLogs: boolean;
  readonly wafRateLimit?: number;
  readonly replicaRegions: string[];
}

const STACKS: StackExpectation[] = [
  {
    stack: "dev",
    counts: BUCKET_AND_CDN,
    indexUrl: "https://d111111abcdef8.cloudfront.net/simple/",
    protect: false,
    branchChannels: true,
    pageTtl: 10,
    noncurrentDays: 7,
    priceClass: "PriceClass_100",
    accessLogs: false,
    replicaRegions: [],
  },
  {
    stack: "staging",
    counts: { ...BUCKET_AND_CDN, ...WITH_ACCESS_LOGS },
    indexUrl: "https://d111111abcdef8.cloudfront.net/simple/",
    protect: false,
    branchChannels: false,
    pageTtl: 60,
    noncurrentDays: 30,
    logDays: 30,
    priceClass: "PriceClass_100",
    accessLogs: true,
    replicaRegions: [],
  },
  {
    stack: "prod",
    counts: {
      ...BUCKET_AND_CDN,
      ...WITH_ACCESS_LOGS,
      "aws:acm/certificate:Certificate": 1,
      "aws:acm/certificateValidation:CertificateValidation": 1,
      // The DNS validation record and the A and AAAA aliases.
      "aws:route53/record:Record": 3,
      "aws:wafv2/webAcl:WebAcl": 1,
    },
    indexUrl: "https://pypi.example.com/simple/",
    protect: true,
    branchChannels: false,
    pageTtl: 60,
    noncurrentDays: 90,
    logDays: 365,
    priceClass: "PriceClass_All",
    customDomain: "pypi.example.com",
    accessLogs: true,
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
    before(async () => (run = await runProgram(expected.stack)));

    it("declares exactly the expected edge-index resources", () => {
      const counts = Object.fromEntries(
        Object.entries(run.recorder.countByType()).filter(([type]) => isEdgeIndexType(type)),
      );
      expect(counts).to.deep.equal(expected.counts);
    });

    it("exports the index URL, names and the numbered edge function version", () => {
      expect(run.outputs).to.deep.include({
        indexUrl: expected.indexUrl,
        bucketName: "index-content-bucket",
        region: "eu-west-1",
        credentialsTableName: `ppi-${expected.stack}-credentials`,
        credentialsTableRegion: "us-east-1",
        distributionId: "index-cdn-id",
        edgeFunctionQualifiedArn: `arn:aws:lambda:us-east-1:123456789012:function:ppi-${expected.stack}-viewer-request:1`,
      });
    });

    it("creates every resource through the one explicit provider, in the stack's region", () => {
      const provider = run.recorder.one("pulumi:providers:aws");
      expect(provider.inputs.region).to.equal("eu-west-1");
      expect(JSON.parse(provider.inputs.defaultTags)).to.deep.equal({
        tags: { Project: "python-package-index", Stack: expected.stack, ManagedBy: "pulumi" },
      });
      const providerRef = `urn:pulumi:${expected.stack}::python-package-index::pulumi:providers:aws::aws::aws-id`;
      const awsResources = run.recorder.customResources.filter((r) => r.type.startsWith("aws:"));
      expect(awsResources.filter((r) => r.provider !== providerRef).map((r) => r.name)).to.deep.equal([]);
    });

    it("names every physical resource ppi-<stack>-…", () => {
      const names = physicalNames(run.recorder.customResources);
      expect(names.length).to.be.greaterThan(20);
      const misnamed = names.filter(({ type, name }) => !expectedName(type, expected.stack).test(name));
      expect(misnamed).to.deep.equal([]);
    });

    it("associates the edge function's numbered version at viewer-request on every cache behaviour", () => {
      const cdn = run.recorder.one("aws:cloudfront/distribution:Distribution").inputs;
      const behaviours = [cdn.defaultCacheBehavior, ...cdn.orderedCacheBehaviors];
      expect(behaviours).to.have.length(expected.branchChannels ? 3 : 2);
      for (const behaviour of behaviours) {
        expect(behaviour.lambdaFunctionAssociations).to.deep.equal([
          {
            eventType: "viewer-request",
            lambdaArn: run.outputs.edgeFunctionQualifiedArn,
            includeBody: false,
          },
        ]);
        expect(behaviour.viewerProtocolPolicy).to.equal("redirect-to-https");
      }
      expect(cdn.priceClass).to.equal(expected.priceClass);
    });

    it("passes the stack's edge settings to the handler and the bucket", () => {
      const pages = run.recorder.one("aws:cloudfront/cachePolicy:CachePolicy", "-pages").inputs;
      expect(pages.maxTtl).to.equal(expected.pageTtl);
      const rules = run.recorder.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "index-content-lifecycle",
      ).inputs.rules;
      const rule = (id: string) => rules.find((r: { id: string }) => r.id === id);
      expect(rule("expire-noncurrent-versions").noncurrentVersionExpiration.noncurrentDays).to.equal(
        expected.noncurrentDays,
      );
      expect(rule("expire-branch-channels")?.expiration.days).to.equal(
        expected.branchChannels ? 14 : undefined,
      );
      const logRules = run.recorder
        .ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        .filter((r) => r.name === "index-logs-lifecycle")
        .map(
          (r) => r.inputs.rules.find((l: { id: string }) => l.id === "expire-access-logs").expiration.days,
        );
      expect(logRules).to.deep.equal(expected.logDays === undefined ? [] : [expected.logDays]);
      const table = run.recorder.one("aws:dynamodb/table:Table").inputs;
      expect((table.replicas ?? []).map((r: { regionName: string }) => r.regionName)).to.deep.equal(
        expected.replicaRegions,
      );
    });

    it("protects the bucket and the table exactly when the stack is protected", () => {
      const protectedResources = run.recorder.customResources
        .filter((r) => r.protect && isEdgeIndexType(r.type))
        .map((r) => r.type);
      expect(protectedResources).to.have.members(
        expected.protect ? ["aws:s3/bucket:Bucket", "aws:dynamodb/table:Table"] : [],
      );
      expect(run.recorder.one("aws:dynamodb/table:Table").inputs.deletionProtectionEnabled).to.equal(
        expected.protect,
      );
    });

    it("serves the custom domain, logs and WAF exactly where configured", () => {
      const cdn = run.recorder.one("aws:cloudfront/distribution:Distribution").inputs;
      if (expected.customDomain) {
        expect(cdn.aliases).to.deep.equal([expected.customDomain]);
        expect(cdn.viewerCertificate).to.deep.include({
          sslSupportMethod: "sni-only",
          minimumProtocolVersion: "TLSv1.2_2021",
        });
      } else {
        expect(cdn.viewerCertificate).to.deep.equal({ cloudfrontDefaultCertificate: true });
      }
      expect(cdn.loggingConfig?.bucket).to.equal(
        expected.accessLogs ? "index-logs-bucket.s3.amazonaws.com" : undefined,
      );
      const webAcls = run.recorder.ofType("aws:wafv2/webAcl:WebAcl");
      expect(webAcls.map((acl) => acl.inputs.rules.at(-1).statement.rateBasedStatement.limit)).to.deep.equal(
        expected.wafRateLimit === undefined ? [] : [expected.wafRateLimit],
      );
      expect(cdn.webAclId).to.equal(
        webAcls[0]
          ? `arn:aws:wafv2:us-east-1:123456789012:global/webacl/ppi-${expected.stack}-index/id`
          : undefined,
      );
    });
  });
}

describe("program: invalid configuration", () => {
  it("names every invalid key and registers no resource", async () => {
    const { error, recorder } = await runFailingProgram("dev", {
      config: {
        "python-package-index:region": undefined,
        "python-package-index:priceClass": "PriceClass_1",
        "python-package-index:pageCacheTtlSeconds": "0",
      },
    });
    expect(error.name).to.equal("ConfigError");
    expect(error.message).to.contain(
      "python-package-index:region is required but not set. expected an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported).",
    );
    expect(error.message).to.contain(
      'python-package-index:priceClass is "PriceClass_1"; expected one of "PriceClass_100", "PriceClass_200", "PriceClass_All".',
    );
    expect(error.message).to.contain(
      'python-package-index:pageCacheTtlSeconds is "0"; expected a whole number from 1 to 3600.',
    );
    expect(recorder.resources).to.deep.equal([]);
  });

  for (const stackName of ["dev-eu", "Dev", "devstackwithaverylongname"]) {
    it(`refuses the stack name ${JSON.stringify(stackName)} before registering anything`, async () => {
      const { error, recorder } = await runFailingProgram("dev", { stackName });
      expect(error.message).to.equal(
        `Stack ${JSON.stringify(stackName)}: stack names must be 1-24 lowercase letters or digits, without dashes ` +
          `(physical names are ppi-<stack>-..., and a stack "dev" scoped to ppi-dev-* would also reach a ` +
          `stack "dev-eu"); rename the stack, e.g. "deveu".`,
      );
      expect(recorder.resources).to.deep.equal([]);
    });
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

  it("refuses a custom domain without its hosted zone before registering anything", async () => {
    const { error, recorder } = await runFailingProgram("prod", {
      config: { "python-package-index:hostedZoneId": undefined },
    });
    expect(error.message).to.contain(
      "python-package-index:customDomain is set but python-package-index:hostedZoneId is not; set the Route 53 hosted zone that holds the domain.",
    );
    expect(recorder.resources).to.deep.equal([]);
  });
});
