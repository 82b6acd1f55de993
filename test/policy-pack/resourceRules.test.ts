import { expect } from "chai";
import { RESOURCE_RULES, STACK_RULES } from "../../policy-pack/resourceRules";
import { StackResource } from "../../policy-pack/iam/stackPolicies";

const ACCOUNT = "123456789012";
const rule = (name: string) => {
  const found = RESOURCE_RULES.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};
const stackRule = (name: string) => STACK_RULES.find((r) => r.name === name)!;

const VERSION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ppi-prod-viewer-request:7`;
const behaviour = {
  viewerProtocolPolicy: "https-only",
  lambdaFunctionAssociations: [{ eventType: "viewer-request", lambdaArn: VERSION_ARN }],
};
const distribution = {
  origins: [
    { originId: "index-bucket", domainName: "b.s3.eu-west-1.amazonaws.com", originAccessControlId: "E1OAC" },
  ],
  defaultCacheBehavior: behaviour,
  orderedCacheBehaviors: [{ ...behaviour, pathPattern: "/files/*" }],
  viewerCertificate: {
    acmCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/abc`,
    sslSupportMethod: "sni-only",
    minimumProtocolVersion: "TLSv1.2_2021",
  },
};
const denyHttp = {
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

interface Case {
  readonly rule: string;
  readonly title: string;
  readonly props: Record<string, unknown>;
  readonly violations: string[];
}

const CDN_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/EDFDVBD6EXAMPLE`;
const CASES: Case[] = [
  {
    rule: "lambda-function-url-iam-auth",
    title: "AWS_IAM",
    props: { authorizationType: "AWS_IAM" },
    violations: [],
  },
  {
    rule: "lambda-function-url-iam-auth",
    title: "a public URL",
    props: { authorizationType: "NONE" },
    violations: [
      'authorizationType is "NONE"; set it to "AWS_IAM" and admit the distribution in the function\'s resource policy.',
    ],
  },
  {
    rule: "lambda-permission-cloudfront-source",
    title: "CloudFront for one distribution",
    props: { principal: "cloudfront.amazonaws.com", sourceArn: CDN_ARN },
    violations: [],
  },
  {
    rule: "lambda-permission-cloudfront-source",
    title: "CloudFront for any distribution",
    props: { principal: "cloudfront.amazonaws.com" },
    violations: [
      "sourceArn is undefined; set it to the distribution's ARN, or every distribution (in any account) could invoke the function.",
    ],
  },
  {
    rule: "lambda-permission-cloudfront-source",
    title: "everyone",
    props: { principal: "*", sourceArn: CDN_ARN },
    violations: ['principal is "*"; only "cloudfront.amazonaws.com" may invoke the stack\'s functions.'],
  },
  {
    rule: "s3-public-access-blocked",
    title: "all four blocks",
    props: {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    violations: [],
  },
  {
    rule: "s3-public-access-blocked",
    title: "public policies allowed",
    props: { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true },
    violations: [
      "blockPublicPolicy is false; set it to true.",
      "restrictPublicBuckets is undefined; set it to true.",
    ],
  },
  {
    rule: "s3-tls-only",
    title: "a policy denying plain HTTP",
    props: { policy: policy(denyHttp) },
    violations: [],
  },
  {
    rule: "s3-tls-only",
    title: "a policy without the deny",
    props: { policy: policy({ ...denyHttp, Effect: "Allow" }) },
    violations: ['the policy has no Deny of "s3:*" for "*" when aws:SecureTransport is false; add one.'],
  },
  {
    rule: "cloudfront-oac-signs-always",
    title: "S3, always, SigV4",
    props: { originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" },
    violations: [],
  },
  {
    rule: "cloudfront-oac-signs-always",
    title: "Lambda (a function URL), always, SigV4",
    props: { originAccessControlOriginType: "lambda", signingBehavior: "always", signingProtocol: "sigv4" },
    violations: [],
  },
  {
    rule: "cloudfront-oac-signs-always",
    title: "a MediaStore origin",
    props: {
      originAccessControlOriginType: "mediastore",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    },
    violations: ['originAccessControlOriginType is "mediastore"; set it to "s3" or "lambda".'],
  },
  {
    rule: "cloudfront-oac-signs-always",
    title: "signing left to the viewer",
    props: { originAccessControlOriginType: "s3", signingBehavior: "no-override", signingProtocol: "sigv4" },
    violations: ['signingBehavior is "no-override"; set it to "always".'],
  },
  { rule: "cloudfront-origins-use-oac", title: "an OAC origin", props: distribution, violations: [] },
  {
    rule: "cloudfront-origins-use-oac",
    title: "a legacy OAI origin",
    props: {
      ...distribution,
      origins: [
        {
          originId: "old",
          domainName: "b",
          s3OriginConfig: { originAccessIdentity: "origin-access-identity/cloudfront/E1" },
        },
      ],
    },
    violations: [
      "origin old uses a legacy origin access identity; use originAccessControlId.",
      "origin old has no originAccessControlId; the bucket would need to be public.",
    ],
  },
  {
    rule: "cloudfront-https-only",
    title: "HTTPS only everywhere",
    props: distribution,
    violations: [],
  },
  {
    rule: "cloudfront-https-only",
    title: "a redirect from HTTP (credentials would travel in clear before it)",
    props: {
      ...distribution,
      defaultCacheBehavior: { ...behaviour, viewerProtocolPolicy: "redirect-to-https" },
    },
    violations: ['the default behaviour has viewerProtocolPolicy "redirect-to-https"; use "https-only".'],
  },
  {
    rule: "cloudfront-https-only",
    title: "one behaviour allowing HTTP",
    props: {
      ...distribution,
      orderedCacheBehaviors: [{ ...behaviour, pathPattern: "/files/*", viewerProtocolPolicy: "allow-all" }],
    },
    violations: ['behaviour /files/* has viewerProtocolPolicy "allow-all"; use "https-only".'],
  },
  { rule: "cloudfront-tls-minimum", title: "TLSv1.2_2021 with SNI", props: distribution, violations: [] },
  {
    rule: "cloudfront-tls-minimum",
    title: "the default certificate (no custom domain)",
    props: { ...distribution, viewerCertificate: { cloudfrontDefaultCertificate: true } },
    violations: [],
  },
  {
    rule: "cloudfront-tls-minimum",
    title: "TLS 1.0 on a dedicated IP, certificate outside us-east-1",
    props: {
      ...distribution,
      viewerCertificate: {
        acmCertificateArn: `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/abc`,
        sslSupportMethod: "vip",
        minimumProtocolVersion: "TLSv1",
      },
    },
    violations: [
      'minimumProtocolVersion is "TLSv1"; use TLSv1.2_2021 or newer.',
      'sslSupportMethod is "vip"; use "sni-only".',
      `the certificate arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/abc is not in us-east-1, where CloudFront reads certificates.`,
    ],
  },
  {
    rule: "cloudfront-edge-function-version",
    title: "a numbered version",
    props: distribution,
    violations: [],
  },
  {
    rule: "cloudfront-edge-function-version",
    title: "$LATEST",
    props: {
      ...distribution,
      orderedCacheBehaviors: [],
      defaultCacheBehavior: {
        ...behaviour,
        lambdaFunctionAssociations: [{ lambdaArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f:$LATEST` }],
      },
    },
    violations: [
      `the default behaviour: arn:aws:lambda:us-east-1:${ACCOUNT}:function:f:$LATEST is not a numbered version in us-east-1; use the function's qualifiedArn with publish: true.`,
    ],
  },
  {
    rule: "iam-no-star-on-star",
    title: "scoped statements",
    props: { policy: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) },
    violations: [],
  },
  {
    rule: "iam-no-star-on-star",
    title: "* on * and an Allow with NotAction",
    props: {
      policy: policy(
        { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" },
        { Sid: "AllButIam", Effect: "Allow", NotAction: "iam:*", Resource: "*" },
      ),
    },
    violations: ["Admin allows * on *.", "AllButIam allows with NotAction; list the actions."],
  },
];

describe("policy pack: resource rules", () => {
  it("every rule has a distinct kebab-case name, a description, and a compliant and a non-compliant case", () => {
    const names = [...RESOURCE_RULES, ...STACK_RULES].map((r) => r.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const name of names) expect(name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const { name } of RESOURCE_RULES) {
      const cases = CASES.filter((c) => c.rule === name);
      expect(
        cases.some((c) => c.violations.length === 0),
        `${name} compliant`,
      ).to.equal(true);
      expect(
        cases.some((c) => c.violations.length > 0),
        `${name} non-compliant`,
      ).to.equal(true);
    }
  });

  for (const { rule: name, title, props, violations } of CASES) {
    it(`${name}: ${violations.length === 0 ? "accepts" : "flags"} ${title}`, () => {
      expect(rule(name).check(props)).to.deep.equal(violations);
    });
  }
});

const resource = (
  type: string,
  name: string,
  props: Record<string, unknown>,
  protect = false,
): StackResource => ({
  type,
  name,
  props,
  protect,
  urn: `urn:pulumi:prod::python-package-index::${type}::${name}`,
});

describe("policy pack: stack rules", () => {
  const fn = (props: Record<string, unknown>) =>
    resource("aws:lambda/function:Function", "fn", {
      name: "ppi-prod-viewer-request",
      region: "us-east-1",
      publish: true,
      ...props,
    });
  const cdn = resource("aws:cloudfront/distribution:Distribution", "cdn", distribution);
  const context = { stack: "prod", protectedStacks: ["prod"] };

  it("edge-function-published-in-us-east-1: accepts the published us-east-1 function the distribution runs", async () => {
    expect(
      await stackRule("edge-function-published-in-us-east-1").check([cdn, fn({})], context),
    ).to.deep.equal([]);
  });

  it("edge-function-published-in-us-east-1: flags it in another region, without versions", async () => {
    const violations = await stackRule("edge-function-published-in-us-east-1").check(
      [cdn, fn({ region: "eu-west-1", publish: false })],
      context,
    );
    expect(violations.map((v) => v.message)).to.deep.equal([
      'ppi-prod-viewer-request is in "eu-west-1"; Lambda@Edge functions live in us-east-1.',
      "ppi-prod-viewer-request does not publish versions; set publish: true.",
    ]);
  });

  const bucket = resource(
    "aws:s3/bucket:Bucket",
    "content",
    { id: "b", bucket: "b", bucketRegionalDomainName: "b.s3.eu-west-1.amazonaws.com" },
    true,
  );
  const block = resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", { bucket: "b" });
  const bucketPolicy = resource("aws:s3/bucketPolicy:BucketPolicy", "policy", {
    bucket: "b",
    policy: policy(denyHttp),
  });

  it("s3-buckets-fully-private: accepts a bucket with its block and policy, flags one without", async () => {
    const check = stackRule("s3-buckets-fully-private").check;
    expect(await check([bucket, block, bucketPolicy], context)).to.deep.equal([]);
    expect((await check([bucket], context)).map((v) => v.message)).to.deep.equal([
      "bucket content has no public-access block.",
      "bucket content has no bucket policy denying plain HTTP.",
    ]);
  });

  it("stateful-resources-protected: in prod, flags the unprotected table and content bucket; other stacks are free", async () => {
    const check = stackRule("stateful-resources-protected").check;
    const table = resource("aws:dynamodb/table:Table", "credentials", { name: "ppi-prod-credentials" });
    const logs = resource("aws:s3/bucket:Bucket", "logs", {
      id: "l",
      bucketRegionalDomainName: "l.s3.eu-west-1.amazonaws.com",
    });
    const unprotectedContent = { ...bucket, protect: false };
    const violations = await check([cdn, table, unprotectedContent, logs], context);
    expect(violations.map((v) => v.message)).to.deep.equal([
      "aws:dynamodb/table:Table credentials is not protected in stack prod; set protect: true.",
      "aws:s3/bucket:Bucket content is not protected in stack prod; set protect: true.",
    ]);
    expect(await check([cdn, { ...table, protect: true }, bucket, logs], context)).to.deep.equal([]);
    expect(await check([cdn, table, unprotectedContent], { ...context, stack: "dev" })).to.deep.equal([]);
  });
});
