import { expect } from "chai";
import { PolicyDocument, PolicyStatement, policyDocument } from "../../components/policies/document";
import { deployerPolicies } from "../../components/policies/deployer";
import { publisherPolicy } from "../../components/policies/publisher";
import { stackReadPolicy } from "../../components/policies/readOnly";
import { StackScope } from "../../components/policies/stackScope";
import { GithubJobMatch, oidcTrustPolicy } from "../../components/policies/trust";
import { IAM_RULES, RoleUnderReview, RuleId, checkRole } from "../../rules/iam";

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
};
const prodJobs: GithubJobMatch[] = [
  { kind: "tag", pattern: "python-package-index@v*", exclude: false },
  { kind: "tag", pattern: "python-package-index@v*-staging", exclude: true },
  { kind: "environment", name: "prod" },
];
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
  production: true,
  namePrefix: "ppi-prod",
  maxSessionDuration: 3600,
  trustPolicy: oidcTrustPolicy({ providerArn: GITHUB, repositories: [INFRA], jobs: prodJobs }, pulumiTrust),
  permissionPolicies: { read: stackReadPolicy(scope), ...deployerPolicies(scope) },
};
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

const ruleIds = (role: RoleUnderReview) => [...new Set(checkRole(role).map((f) => f.rule))].sort();

describe("IAM rules", () => {
  it("every rule has a distinct id and a description", () => {
    const ids = IAM_RULES.map((r) => r.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const rule of IAM_RULES) expect(rule.description).to.have.length.greaterThan(20);
  });

  for (const role of [prodDeployer, previewer, publisher]) {
    it(`passes the roles the builders produce: ${role.name}`, () => {
      expect(checkRole(role)).to.deep.equal([]);
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
      rules: ["OIDC_SUB_PINNED", "PULL_REQUEST_PREVIEW_ONLY"],
    },
    {
      title: "a bare * sub",
      role: withTrust(publisher, (s) => ({
        ...s,
        Condition: githubCondition({ StringLike: { "token.actions.githubusercontent.com:sub": "*" } }),
      })),
      rules: ["OIDC_SUB_PINNED"],
    },
    {
      title: "a pinned repository with any ref kind (repo:ORG/REPO:*)",
      role: withTrust(publisher, (s) => ({
        ...s,
        Condition: githubCondition({
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/lib-a:*" },
        }),
      })),
      rules: ["OIDC_SUB_PINNED", "PULL_REQUEST_PREVIEW_ONLY"],
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
      role: {
        ...prodDeployer,
        trustPolicy: oidcTrustPolicy(
          { providerArn: GITHUB, repositories: [INFRA], jobs: [...prodJobs, { kind: "pull_request" }] },
          pulumiTrust,
        ),
      },
      rules: ["PROD_DEPLOYER_TAG_ONLY", "PULL_REQUEST_PREVIEW_ONLY"],
    },
    {
      title: "a staging tag able to deploy prod (no -staging exclusion)",
      role: {
        ...prodDeployer,
        trustPolicy: oidcTrustPolicy({ providerArn: GITHUB, repositories: [INFRA], jobs: [prodJobs[0]] }),
      },
      rules: ["PROD_DEPLOYER_TAG_ONLY"],
    },
    {
      title: "main able to deploy prod",
      role: {
        ...prodDeployer,
        trustPolicy: oidcTrustPolicy({
          providerArn: GITHUB,
          repositories: [INFRA],
          jobs: [...prodJobs, { kind: "branch", pattern: "main", exclude: false }],
        }),
      },
      rules: ["PROD_DEPLOYER_TAG_ONLY"],
    },
    {
      title: "the staging environment able to deploy prod",
      role: {
        ...prodDeployer,
        trustPolicy: oidcTrustPolicy({
          providerArn: GITHUB,
          repositories: [INFRA],
          jobs: [{ kind: "environment", name: "staging" }],
        }),
      },
      rules: ["PROD_DEPLOYER_TAG_ONLY"],
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
      rules: ["PULL_REQUEST_PREVIEW_ONLY"],
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
      rules: ["OIDC_SUB_PINNED"],
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
      // `*` grants PassRole and GetServiceBearerToken too, unconditioned.
      rules: [
        "NO_ADMIN_WILDCARD",
        "PASSROLE_SCOPED",
        "STS_BEARER_TOKEN_CODEARTIFACT_ONLY",
        "DEPLOYER_ROLE_CREATION_BOUNDED",
      ],
    },
    {
      title: "a policy allowing with NotAction",
      role: withPolicy(prodDeployer, { Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
      rules: ["NO_ADMIN_WILDCARD"],
    },
    {
      title: "a whole service on every resource",
      role: withPolicy(prodDeployer, { Effect: "Allow", Action: "s3:*", Resource: "*" }),
      rules: ["NO_SERVICE_WILDCARD_ON_ALL_RESOURCES"],
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
      role: withoutStatement(prodDeployer, "DenyBoundaryRemoval"),
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
    it(`flags ${title}: ${rules.join(", ")}`, () => {
      expect(ruleIds(role)).to.deep.equal([...rules].sort());
    });
  }

  it("accepts sts:GetServiceBearerToken limited to CodeArtifact", () => {
    const role = withPolicy(publisher, {
      Effect: "Allow",
      Action: "sts:GetServiceBearerToken",
      Resource: "*",
      Condition: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
    });
    expect(checkRole(role)).to.deep.equal([]);
  });

  it("names the role and the offending subject in a finding", () => {
    const role = {
      ...prodDeployer,
      trustPolicy: oidcTrustPolicy({ providerArn: GITHUB, repositories: [INFRA], jobs: [prodJobs[0]] }),
    };
    expect(checkRole(role)).to.deep.equal([
      {
        rule: "PROD_DEPLOYER_TAG_ONLY",
        role: "ppi-prod-deployer",
        message: "accepts repo:acme/python-package-index:ref:refs/tags/python-package-index@v1.2.3-staging.",
      },
    ]);
  });

  it("an explicit Deny in the trust policy wins over the Allow", () => {
    const deny: PolicyStatement = {
      Effect: "Deny",
      Principal: { Federated: GITHUB },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:*:ref:refs/tags/*-staging" },
      },
    };
    const trust: PolicyDocument = oidcTrustPolicy({
      providerArn: GITHUB,
      repositories: [INFRA],
      jobs: [prodJobs[0]],
    });
    const role = { ...prodDeployer, trustPolicy: policyDocument([...trust.Statement, deny]) };
    expect(ruleIds(role)).to.deep.equal([]);
  });
});
