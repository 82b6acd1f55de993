import { expect } from "chai";
import { PolicyDocument, PolicyStatement, policyDocument } from "../../components/policies/document";
import { deployerPolicies } from "../../components/policies/deployer";
import { publisherPolicy } from "../../components/policies/publisher";
import { stackReadPolicy } from "../../components/policies/readOnly";
import { StackScope } from "../../components/policies/stackScope";
import { oidcTrustPolicy } from "../../components/policies/trust";
import { GithubJobMatch } from "../../domain/github";
import { IAM_RULES, RoleUnderReview, RuleId, checkRole } from "../../policy-pack/iam/roleRules";
import { canAssumeWithWebIdentity } from "../../policy-pack/iam/simulate";

const ACCOUNT = "123456789012";
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const PULUMI = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const INFRA = "acme/python-package-index";
const scope: StackScope = {
  namePrefix: "ppi-prod",
  accountId: ACCOUNT,
  region: "eu-west-1",
  replicaRegions: ["eu-west-1"],
  customDomain: { name: "pypi.example.com", hostedZoneId: "Z0123456789EXAMPLE0" },
  cloudFrontArns: [
    `arn:aws:cloudfront::${ACCOUNT}:distribution/EPROD`,
    `arn:aws:cloudfront::${ACCOUNT}:cache-policy/pages`,
  ],
};
const prodJobs: GithubJobMatch[] = [{ kind: "environment", name: "prod" }];
const releaseTag: GithubJobMatch = { kind: "tag", pattern: "python-package-index@v*", exclude: false };
const notStagingTag: GithubJobMatch = {
  kind: "tag",
  pattern: "python-package-index@v*-staging",
  exclude: true,
};
const pulumiTrust = {
  providerArn: PULUMI,
  organization: "acme",
  project: "python-package-index",
  stack: "prod",
  operations: ["preview", "update", "refresh"],
};

const prodDeployer: RoleUnderReview = {
  name: "ppi-prod-deployer",
  purpose: "deployer",
  stack: "prod",
  namePrefix: "ppi-prod",
  maxSessionDuration: 3600,
  trustPolicy: oidcTrustPolicy({ providerArn: GITHUB, repositories: [INFRA], jobs: prodJobs }, pulumiTrust),
  permissionPolicies: { read: stackReadPolicy(scope), ...deployerPolicies(scope) },
};
/** The prod deployer trusting these GitHub jobs besides Pulumi Deployments of prod. */
const deployerTrusting = (jobs: GithubJobMatch[]): RoleUnderReview => ({
  ...prodDeployer,
  trustPolicy: oidcTrustPolicy({ providerArn: GITHUB, repositories: [INFRA], jobs }, pulumiTrust),
});
const previewer: RoleUnderReview = {
  ...prodDeployer,
  name: "ppi-prod-previewer",
  purpose: "previewer",
  trustPolicy: oidcTrustPolicy({
    providerArn: GITHUB,
    repositories: [INFRA],
    jobs: [{ kind: "pull_request" }],
  }),
  permissionPolicies: { read: stackReadPolicy(scope) },
};
const publisher: RoleUnderReview = {
  ...prodDeployer,
  name: "ppi-prod-publisher",
  purpose: "publisher",
  trustPolicy: oidcTrustPolicy({
    providerArn: GITHUB,
    repositories: ["acme/lib-a"],
    jobs: [{ kind: "environment", name: "prod" }],
  }),
  permissionPolicies: {
    index: publisherPolicy({ bucketName: "ppi-prod-index-abc", tenants: ["acme", "beta"] }),
  },
};

/** The prod publisher of acme/lib-a trusting these jobs. */
const publisherTrusting = (jobs: GithubJobMatch[]): RoleUnderReview => ({
  ...publisher,
  trustPolicy: oidcTrustPolicy({ providerArn: GITHUB, repositories: ["acme/lib-a"], jobs }),
});

/** The role with its trust policy's first statement rewritten. */
function withTrust(role: RoleUnderReview, edit: (s: PolicyStatement) => PolicyStatement): RoleUnderReview {
  const [first, ...rest] = role.trustPolicy.Statement;
  return { ...role, trustPolicy: policyDocument([edit(first), ...rest]) };
}

function withPolicy(role: RoleUnderReview, statement: PolicyStatement): RoleUnderReview {
  return { ...role, permissionPolicies: { ...role.permissionPolicies, extra: policyDocument([statement]) } };
}

/** The role with the statement `sid` removed from whichever of its policies holds it. */
function withoutStatement(role: RoleUnderReview, sid: string): RoleUnderReview {
  const policies = Object.entries(role.permissionPolicies).map(([name, document]) => [
    name,
    policyDocument(document.Statement.filter((s) => s.Sid !== sid)),
  ]);
  const removed = Object.values(role.permissionPolicies).some((d) => d.Statement.some((s) => s.Sid === sid));
  if (!removed) throw new Error(`no statement ${sid} in ${role.name}`);
  return { ...role, permissionPolicies: Object.fromEntries(policies) };
}

const githubCondition = (
  sub: Record<string, Record<string, string | string[]>>,
  aud: Record<string, string> = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
) => ({
  StringEquals: { ...aud },
  ...sub,
});

const ruleIds = async (role: RoleUnderReview) =>
  [...new Set((await checkRole(role)).map((f) => f.rule))].sort();

describe("IAM rules", () => {
  it("every rule has a distinct id and a description", () => {
    const ids = IAM_RULES.map((r) => r.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const rule of IAM_RULES) expect(rule.description).to.have.length.greaterThan(20);
  });

  for (const role of [prodDeployer, previewer, publisher]) {
    it(`passes the roles the builders produce: ${role.name}`, async () => {
      expect(await checkRole(role)).to.deep.equal([]);
    });
  }

  const cases: { title: string; role: RoleUnderReview; rules: RuleId[] }[] = [
    {
      title: "a wildcard sub (any repository)",
      role: withTrust(publisher, (s) => ({
        ...s,
        Condition: githubCondition({
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
        }),
      })),
      rules: ["OIDC_SUB_PINNED", "PULL_REQUEST_PREVIEW_ONLY", "PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "a bare * sub",
      role: withTrust(publisher, (s) => ({
        ...s,
        Condition: githubCondition({ StringLike: { "token.actions.githubusercontent.com:sub": "*" } }),
      })),
      rules: ["OIDC_SUB_PINNED", "PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "a pinned repository with any ref kind (repo:ORG/REPO:*)",
      role: withTrust(publisher, (s) => ({
        ...s,
        Condition: githubCondition({
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/lib-a:*" },
        }),
      })),
      rules: ["OIDC_SUB_PINNED", "PULL_REQUEST_PREVIEW_ONLY", "PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "no sub condition at all",
      role: withTrust(publisher, (s) => ({ ...s, Condition: githubCondition({}) })),
      rules: ["OIDC_SUB_PINNED"],
    },
    {
      title: "a missing aud",
      role: withTrust(publisher, (s) => ({
        ...s,
        Condition: {
          StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/lib-a:environment:prod" },
        },
      })),
      rules: ["OIDC_AUD_PINNED"],
    },
    {
      title: "a wildcard aud under StringLike",
      role: withTrust(publisher, (s) => ({
        ...s,
        Condition: {
          StringLike: { "token.actions.githubusercontent.com:aud": "*" },
          StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/lib-a:environment:prod" },
        },
      })),
      rules: ["OIDC_AUD_PINNED"],
    },
    {
      title: "a trust statement for an AWS principal",
      role: withTrust(publisher, (s) => ({ ...s, Principal: { AWS: "*" }, Action: "sts:AssumeRole" })),
      rules: ["TRUST_WEB_IDENTITY_ONLY"],
    },
    {
      title: "a pull request able to assume the prod deployer",
      role: deployerTrusting([...prodJobs, { kind: "pull_request" }]),
      rules: ["DEPLOYER_TRUSTS_OWN_STACK_ONLY", "PULL_REQUEST_PREVIEW_ONLY"],
    },
    {
      title: "prod release tags trusted without the environment (what the stack files used to say)",
      role: deployerTrusting([releaseTag, notStagingTag, ...prodJobs]),
      // -rc.1 and vnext pass the -staging exclusion although TAG_FILTERS routes neither to prod.
      rules: ["DEPLOYER_TRUSTS_OWN_STACK_ONLY"],
    },
    {
      title: "main able to deploy prod",
      role: deployerTrusting([...prodJobs, { kind: "branch", pattern: "main", exclude: false }]),
      rules: ["DEPLOYER_TRUSTS_OWN_STACK_ONLY"],
    },
    {
      title: "the staging environment able to deploy prod",
      role: deployerTrusting([{ kind: "environment", name: "staging" }]),
      rules: ["DEPLOYER_TRUSTS_OWN_STACK_ONLY"],
    },
    {
      title: "Pulumi Deployments of another stack able to assume the prod deployer",
      role: {
        ...prodDeployer,
        trustPolicy: oidcTrustPolicy(
          { providerArn: GITHUB, repositories: [INFRA], jobs: [] },
          { ...pulumiTrust, stack: "staging" },
        ),
      },
      rules: ["DEPLOYER_TRUSTS_OWN_STACK_ONLY"],
    },
    {
      title: "Pulumi Deployments allowed to destroy prod",
      role: {
        ...prodDeployer,
        trustPolicy: oidcTrustPolicy(
          { providerArn: GITHUB, repositories: [INFRA], jobs: [] },
          { ...pulumiTrust, operations: ["update", "destroy"] },
        ),
      },
      rules: ["DEPLOYER_TRUSTS_OWN_STACK_ONLY"],
    },
    {
      title: "a publisher trusting release tags besides its environment",
      role: publisherTrusting([
        { kind: "environment", name: "prod" },
        { kind: "tag", pattern: "v*", exclude: false },
      ]),
      rules: ["PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "a publisher trusting main",
      role: publisherTrusting([{ kind: "branch", pattern: "main", exclude: false }]),
      rules: ["PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "a prod publisher trusting the staging environment",
      role: publisherTrusting([{ kind: "environment", name: "staging" }]),
      rules: ["PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "a publisher Pulumi Deployments may assume",
      role: {
        ...publisher,
        trustPolicy: oidcTrustPolicy(
          { providerArn: GITHUB, repositories: ["acme/lib-a"], jobs: prodJobs },
          pulumiTrust,
        ),
      },
      rules: ["PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "a trust policy over 2,048 characters (60 package repositories)",
      role: {
        ...publisher,
        trustPolicy: oidcTrustPolicy({
          providerArn: GITHUB,
          repositories: Array.from({ length: 60 }, (_, i) => `acme/library-${i}`),
          jobs: prodJobs,
        }),
      },
      rules: ["TRUST_POLICY_SIZE"],
    },
    {
      title: "a pull request able to assume a publisher",
      role: {
        ...publisher,
        trustPolicy: oidcTrustPolicy({
          providerArn: GITHUB,
          repositories: ["acme/lib-a"],
          jobs: [{ kind: "pull_request" }],
        }),
      },
      rules: ["PULL_REQUEST_PREVIEW_ONLY", "PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"],
    },
    {
      title: "a Pulumi subject for any stack",
      role: withTrust(
        { ...prodDeployer, trustPolicy: policyDocument([prodDeployer.trustPolicy.Statement[1]]) },
        (s) => ({
          ...s,
          Condition: {
            StringEquals: { "api.pulumi.com/oidc:aud": "acme" },
            StringLike: {
              "api.pulumi.com/oidc:sub": "pulumi:deploy:org:acme:project:python-package-index:stack:*",
            },
          },
        }),
      ),
      rules: ["OIDC_SUB_PINNED", "DEPLOYER_TRUSTS_OWN_STACK_ONLY"],
    },
    {
      title: "no session limit",
      role: { ...prodDeployer, maxSessionDuration: undefined },
      rules: ["MAX_SESSION_ONE_HOUR"],
    },
    {
      title: "a 12-hour session",
      role: { ...prodDeployer, maxSessionDuration: 43200 },
      rules: ["MAX_SESSION_ONE_HOUR"],
    },
    {
      title: "a policy with * on *",
      role: withPolicy(prodDeployer, { Effect: "Allow", Action: "*", Resource: "*" }),
      // `*` grants PassRole and GetServiceBearerToken too, unconditioned, and every other stack's resources.
      rules: [
        "DEPLOYER_CONFINED_TO_STACK",
        "DEPLOYER_NO_STORED_DATA",
        "NO_ADMIN_WILDCARD",
        "PASSROLE_SCOPED",
        "STS_BEARER_TOKEN_CODEARTIFACT_ONLY",
        "DEPLOYER_ROLE_CREATION_BOUNDED",
      ],
    },
    {
      title: "a policy allowing with NotAction",
      role: withPolicy(prodDeployer, { Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
      rules: ["DEPLOYER_CONFINED_TO_STACK", "DEPLOYER_NO_STORED_DATA", "NO_ADMIN_WILDCARD"],
    },
    {
      title: "a whole service on every resource",
      role: withPolicy(prodDeployer, { Effect: "Allow", Action: "s3:*", Resource: "*" }),
      // s3:* includes the bucket policy and lifecycle of the content bucket.
      rules: ["DEPLOYER_NO_STORED_DATA", "NO_SERVICE_WILDCARD_ON_ALL_RESOURCES"],
    },
    {
      title: "iam:PassRole on every role",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
      }),
      rules: ["PASSROLE_SCOPED"],
    },
    {
      title: "iam:* (which includes PassRole) on the stack's roles without a service condition",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "iam:*",
        Resource: `arn:aws:iam::${ACCOUNT}:role/ppi-prod-*`,
      }),
      rules: ["PASSROLE_SCOPED", "DEPLOYER_ROLE_CREATION_BOUNDED"],
    },
    {
      title: "iam:PassRole to EC2",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${ACCOUNT}:role/ppi-prod-*`,
        Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
      }),
      rules: ["PASSROLE_SCOPED"],
    },
    {
      title: "a previewer that can write",
      role: withPolicy(previewer, {
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::ppi-prod-*",
      }),
      rules: ["PREVIEWER_READ_ONLY"],
    },
    {
      title: "a previewer that can read objects through s3:Get*",
      role: withPolicy(previewer, {
        Effect: "Allow",
        Action: "s3:Get*",
        Resource: "arn:aws:s3:::ppi-prod-*",
      }),
      rules: ["PREVIEWER_READ_ONLY"],
    },
    {
      title: "a publisher writing the whole bucket",
      role: withPolicy(publisher, {
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::ppi-prod-index-abc/*",
      }),
      rules: ["PUBLISHER_TENANT_SCOPED"],
    },
    {
      title: "a publisher listing the whole bucket",
      role: withPolicy(publisher, {
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::ppi-prod-index-abc",
      }),
      rules: ["PUBLISHER_TENANT_SCOPED"],
    },
    {
      title: "a publisher that can delete",
      role: withPolicy(publisher, {
        Effect: "Allow",
        Action: "s3:DeleteObject",
        Resource: "arn:aws:s3:::ppi-prod-index-abc/acme/*",
      }),
      rules: ["PUBLISHER_TENANT_SCOPED"],
    },
    {
      title: "sts:GetServiceBearerToken for any service",
      role: withPolicy(publisher, { Effect: "Allow", Action: "sts:GetServiceBearerToken", Resource: "*" }),
      rules: ["STS_BEARER_TOKEN_CODEARTIFACT_ONLY"],
    },
    {
      title: "a deployer creating stack roles without the boundary condition",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: ["iam:CreateRole", "iam:AttachRolePolicy"],
        Resource: `arn:aws:iam::${ACCOUNT}:role/ppi-prod-*`,
      }),
      rules: ["DEPLOYER_ROLE_CREATION_BOUNDED"],
    },
    {
      title: "a deployer whose boundary condition accepts any policy (StringLike *)",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "iam:PutRolePolicy",
        Resource: `arn:aws:iam::${ACCOUNT}:role/ppi-prod-*`,
        Condition: { StringLike: { "iam:PermissionsBoundary": "*" } },
      }),
      rules: ["DEPLOYER_ROLE_CREATION_BOUNDED"],
    },
    {
      title: "a deployer that can write new versions of the stack's managed policies",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "iam:CreatePolicyVersion",
        Resource: `arn:aws:iam::${ACCOUNT}:policy/ppi-prod-*`,
      }),
      rules: ["DEPLOYER_ROLE_CREATION_BOUNDED"],
    },
    {
      title: "a deployer that can create users",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: ["iam:CreateUser", "iam:AttachUserPolicy"],
        Resource: `arn:aws:iam::${ACCOUNT}:user/*`,
      }),
      rules: ["DEPLOYER_ROLE_CREATION_BOUNDED"],
    },
    {
      title: "a deployer without the deny on boundary changes",
      role: withoutStatement(prodDeployer, "DenyBoundaryChanges"),
      rules: ["BOUNDARY_IMMUTABLE"],
    },
    {
      title: "a deployer without the deny on removing boundaries",
      role: withoutStatement(prodDeployer, "DenyTrustAndBoundaryRemoval"),
      rules: ["BOUNDARY_IMMUTABLE"],
    },
    {
      title: "a deployer without the deny on the CI roles (it could rewrite its own trust)",
      role: withoutStatement(prodDeployer, "DenyCiRoleChanges"),
      rules: ["DEPLOYER_CANNOT_CHANGE_CI_ROLES"],
    },
    {
      title: "a deployer denied changes to its own role only (the publisher stays open)",
      role: withPolicy(withoutStatement(prodDeployer, "DenyCiRoleChanges"), {
        Effect: "Deny",
        NotAction: ["iam:Get*", "iam:List*"],
        Resource: [
          `arn:aws:iam::${ACCOUNT}:role/ppi-prod-deployer`,
          `arn:aws:iam::${ACCOUNT}:role/ppi-prod-previewer`,
        ],
      }),
      rules: ["DEPLOYER_CANNOT_CHANGE_CI_ROLES"],
    },
    {
      title: "a deployer managing every distribution of the account (no Stack tag condition)",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: ["cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"],
        Resource: `arn:aws:cloudfront::${ACCOUNT}:*`,
      }),
      rules: ["DEPLOYER_CONFINED_TO_STACK"],
    },
    {
      title: "a deployer managing every KMS key of its regions",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"],
        Resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/*`,
      }),
      rules: ["DEPLOYER_CONFINED_TO_STACK"],
    },
    {
      title: "a deployer managing the whole network of its region",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteVpcEndpoints"],
        Resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:*`,
      }),
      rules: ["DEPLOYER_CONFINED_TO_STACK"],
    },
    {
      title: "a deployer deleting any edge certificate",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "acm:DeleteCertificate",
        Resource: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/*`,
      }),
      rules: ["DEPLOYER_CONFINED_TO_STACK"],
    },
    {
      title: "a deployer free to retag another stack's resources as its own",
      role: withoutStatement(prodDeployer, "DenyTaggingOtherStacks"),
      rules: ["DEPLOYER_CONFINED_TO_STACK"],
    },
    {
      title: "a deployer free to tag its resources as another stack's",
      role: withoutStatement(prodDeployer, "DenyStackTagOfOtherStacks"),
      rules: ["DEPLOYER_CONFINED_TO_STACK"],
    },
    {
      title: "a deployer free to remove the Stack tag",
      role: withoutStatement(prodDeployer, "DenyStackTagRemoval"),
      rules: ["DEPLOYER_CONFINED_TO_STACK"],
    },
    {
      title: "a deployer with s3:GetObject on its buckets and no object deny",
      role: withPolicy(withoutStatement(prodDeployer, "DenyPackageData"), {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::ppi-prod-*",
      }),
      rules: ["DEPLOYER_NO_STORED_DATA"],
    },
    {
      title: "a deployer that may change the content bucket's policy",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "s3:PutBucketPolicy",
        Resource: "arn:aws:s3:::ppi-prod-*",
      }),
      rules: ["DEPLOYER_NO_STORED_DATA"],
    },
    {
      title: "a deployer with dynamodb:* on the credentials tables",
      role: withPolicy(prodDeployer, {
        Effect: "Allow",
        Action: "dynamodb:*",
        Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/ppi-prod-*`,
      }),
      rules: ["DEPLOYER_NO_STORED_DATA"],
    },
    {
      title: "an oversized managed policy",
      role: withPolicy(publisher, {
        Effect: "Allow",
        Action: Array.from({ length: 400 }, (_, i) => `s3:GetObjectVersion${i}`),
        Resource: "arn:aws:s3:::ppi-prod-index-abc/acme/*",
      }),
      rules: ["MANAGED_POLICY_SIZE"],
    },
  ];
  for (const { title, role, rules } of cases) {
    it(`flags ${title}: ${rules.join(", ")}`, async () => {
      expect(await ruleIds(role)).to.deep.equal([...rules].sort());
    });
  }

  it("gives the deployer no item access in any region, with or without table replicas", () => {
    for (const replicaRegions of [["eu-west-1"], []]) {
      const actions = Object.values(deployerPolicies({ ...scope, replicaRegions }))
        .flatMap((document) => document.Statement)
        .filter((statement) => statement.Effect === "Allow")
        .flatMap((statement) => [statement.Action].flat());
      expect(
        actions.filter((action) => /^dynamodb:(Get|Put|Update|Delete)Item|Scan|Query/.test(action!)),
      ).to.deep.equal([]);
    }
  });

  it("accepts sts:GetServiceBearerToken limited to CodeArtifact", async () => {
    const role = withPolicy(publisher, {
      Effect: "Allow",
      Action: "sts:GetServiceBearerToken",
      Resource: "*",
      Condition: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
    });
    expect(await checkRole(role)).to.deep.equal([]);
  });

  it("names the role and every hostile tag a tag-trusting prod deployer accepts", async () => {
    expect(await checkRole(deployerTrusting([releaseTag, notStagingTag, ...prodJobs]))).to.deep.equal(
      [
        "trusts repo:acme/python-package-index:ref:refs/tags/python-package-index@v*.",
        "accepts repo:acme/python-package-index:ref:refs/tags/python-package-index@v1.2.3.",
        "accepts repo:acme/python-package-index:ref:refs/tags/python-package-index@v1.2.3-rc.1.",
        "accepts repo:acme/python-package-index:ref:refs/tags/python-package-index@vnext.",
      ].map((message) => ({ rule: "DEPLOYER_TRUSTS_OWN_STACK_ONLY", role: "ppi-prod-deployer", message })),
    );
  });

  it("a deployer only Pulumi Deployments may assume passes, and so does one that adds its environment", async () => {
    const pulumiOnly = {
      ...prodDeployer,
      trustPolicy: oidcTrustPolicy({ providerArn: GITHUB, repositories: [INFRA], jobs: [] }, pulumiTrust),
    };
    expect(pulumiOnly.trustPolicy.Statement.map((s) => s.Sid)).to.deep.equal(["PulumiDeployments"]);
    expect(await checkRole(pulumiOnly)).to.deep.equal([]);
    expect(await checkRole(deployerTrusting(prodJobs))).to.deep.equal([]);
  });

  it("an explicit Deny in the trust policy wins over the Allow when the rules probe it", async () => {
    const deny: PolicyStatement = {
      Effect: "Deny",
      Principal: { Federated: GITHUB },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:*:ref:refs/tags/*@v*-*" },
      },
    };
    const trust: PolicyDocument = oidcTrustPolicy({
      providerArn: GITHUB,
      repositories: [INFRA],
      jobs: [releaseTag],
    });
    const claims = (tag: string) => ({
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": `repo:${INFRA}:ref:refs/tags/python-package-index@${tag}`,
    });
    const withDeny = policyDocument([...trust.Statement, deny]);
    const canAssume = (document: PolicyDocument, tag: string) =>
      canAssumeWithWebIdentity(
        document,
        `arn:aws:iam::${ACCOUNT}:role/ppi-prod-deployer`,
        GITHUB,
        claims(tag),
      );
    expect(await canAssume(trust, "v1.2.3-rc.1")).to.equal(true);
    expect(await canAssume(withDeny, "v1.2.3-rc.1")).to.equal(false);
    expect(await canAssume(withDeny, "v1.2.3")).to.equal(true);
  });
});
