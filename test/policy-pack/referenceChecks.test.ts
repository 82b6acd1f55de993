import { expect } from "chai";
import { PolicyStatement, policyDocument } from "../../components/policies/document";
import { requireAction, supportsConditionKey } from "../../policy-pack/iam/authorizationData";
import { PolicyKind, ReferenceCheckId, checkAgainstReference } from "../../policy-pack/iam/referenceChecks";

const ACCOUNT = "123456789012";
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const PULUMI = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const onStack = { StringEquals: { "aws:ResourceTag/Stack": "prod" } };

const checks = async (statement: PolicyStatement, kind: PolicyKind = "identity") =>
  [...new Set((await checkAgainstReference(policyDocument([statement]), kind)).map((f) => f.check))].sort();

describe("IAM reference checks (Service Authorization Reference)", () => {
  const cases: { title: string; statement: PolicyStatement; kind?: PolicyKind; found: ReferenceCheckId[] }[] =
    [
      {
        title: "a wildcard-only create on an ARN (the dead Allow of the old deployer)",
        statement: {
          Effect: "Allow",
          Action: "cloudfront:CreateDistribution",
          Resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/*`,
        },
        found: ["IAM_WILDCARD_ONLY_ON_STAR"],
      },
      {
        title: "the same create on *, narrowed with the request tag it supports",
        statement: {
          Effect: "Allow",
          Action: "cloudfront:CreateDistribution",
          Resource: "*",
          Condition: { StringEquals: { "aws:RequestTag/Stack": "prod" } },
        },
        found: [],
      },
      {
        title: "an action that does not exist (CreateDistributionWithTags is an API, not an action)",
        statement: { Effect: "Allow", Action: "cloudfront:CreateDistributionWithTags", Resource: "*" },
        found: ["IAM_ACTION_EXISTS"],
      },
      {
        title: "a pattern that names no action",
        statement: { Effect: "Allow", Action: "s3:Frobnicate*", Resource: "*" },
        found: ["IAM_ACTION_EXISTS"],
      },
      {
        title: "a resource tag condition on a cache policy, which supports no condition key",
        statement: {
          Effect: "Allow",
          Action: "cloudfront:UpdateCachePolicy",
          Resource: `arn:aws:cloudfront::${ACCOUNT}:cache-policy/*`,
          Condition: onStack,
        },
        found: ["IAM_CONDITION_KEY_SUPPORTED"],
      },
      {
        title: "a resource tag condition on a distribution, which supports it",
        statement: {
          Effect: "Allow",
          Action: "cloudfront:UpdateDistribution",
          Resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/*`,
          Condition: onStack,
        },
        found: [],
      },
      {
        title: "an object action on a bucket ARN",
        statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::ppi-prod-index-abc" },
        found: ["IAM_RESOURCE_MATCHES_ARN_FORMAT"],
      },
      {
        title: "a resource no action of the statement authorizes against",
        statement: {
          Effect: "Allow",
          Action: "dynamodb:GetItem",
          Resource: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t`, `arn:aws:sqs:us-east-1:${ACCOUNT}:q`],
        },
        found: ["IAM_RESOURCE_MATCHES_ARN_FORMAT"],
      },
      {
        title: "a pattern reaching some of its actions (Create* among them is wildcard-only)",
        statement: {
          Effect: "Allow",
          Action: "cloudfront:*CachePolicy",
          Resource: `arn:aws:cloudfront::${ACCOUNT}:cache-policy/*`,
        },
        found: [],
      },
      {
        title: "a Deny that can never apply (a wildcard-only action denied on an ARN)",
        statement: {
          Effect: "Deny",
          Action: "codeartifact:CreateDomain",
          Resource: `arn:aws:codeartifact:eu-west-1:${ACCOUNT}:domain/ppi-prod`,
        },
        found: ["IAM_WILDCARD_ONLY_ON_STAR"],
      },
      {
        title: "an unknown action named by NotAction",
        statement: { Effect: "Deny", NotAction: ["iam:Get*", "iam:Frobnicate"], Resource: "*" },
        found: ["IAM_ACTION_EXISTS"],
      },
      {
        title: "EC2 tag-on-create with ec2:CreateAction",
        statement: {
          Effect: "Allow",
          Action: "ec2:CreateTags",
          Resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc-endpoint/*`,
          Condition: {
            StringEquals: { "ec2:CreateAction": "CreateVpcEndpoint", "aws:RequestTag/Stack": "prod" },
          },
        },
        found: [],
      },
      {
        title: "a global key (aws:RequestedRegion) on any action",
        statement: {
          Effect: "Allow",
          Action: "dynamodb:UpdateTable",
          Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/ppi-prod-*`,
          Condition: { StringEquals: { "aws:RequestedRegion": ["us-east-1"] } },
        },
        found: [],
      },
      {
        title: "a GitHub trust statement pinning aud and sub of its own provider",
        kind: "trust",
        statement: {
          Effect: "Allow",
          Principal: { Federated: GITHUB },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": "repo:acme/x:environment:prod",
            },
          },
        },
        found: [],
      },
      {
        title: "a Pulumi trust statement conditioned on GitHub's claims (another provider's keys)",
        kind: "trust",
        statement: {
          Effect: "Allow",
          Principal: { Federated: PULUMI },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/x:environment:prod" },
          },
        },
        found: ["IAM_CONDITION_KEY_SUPPORTED"],
      },
    ];
  for (const { title, statement, kind, found } of cases) {
    it(`${found.length === 0 ? "passes" : `flags ${found.join(", ")}:`} ${title}`, async () => {
      expect(await checks(statement, kind)).to.deep.equal(found);
    });
  }

  it("names the statement and what AWS expects", async () => {
    const findings = await checkAgainstReference(
      policyDocument([
        {
          Sid: "CreateStackDistributions",
          Effect: "Allow",
          Action: "cloudfront:CreateDistribution",
          Resource: "arn:aws:cloudfront::1:distribution/*",
        },
      ]),
      "identity",
    );
    expect(findings.map((f) => f.message)).to.deep.equal([
      'CreateStackDistributions: cloudfront:CreateDistribution has no resource type; it applies only on "*", not arn:aws:cloudfront::1:distribution/*.',
    ]);
  });

  // Why the deployer's CloudFront statements are pinned to ARNs (README, IAM): if AWS adds tag
  // support to these objects, this fails and the statements can use the Stack tag instead.
  for (const noun of ["CachePolicy", "OriginAccessControl", "ResponseHeadersPolicy"]) {
    it(`cloudfront:Update${noun} and Delete${noun} support no condition key that could tell stacks apart`, async () => {
      for (const verb of ["Update", "Delete"]) {
        const action = await requireAction(`cloudfront:${verb}${noun}`);
        expect(action.conditionKeys, action.name).to.deep.equal([]);
        expect(
          action.resourceTypes.flatMap((t) => t.conditionKeys),
          action.name,
        ).to.deep.equal([]);
        expect(supportsConditionKey(action, "aws:ResourceTag/Stack")).to.equal(false);
      }
    });
  }

  it("the tag keys the deployer's guards rely on are set for each of their actions", async () => {
    for (const action of ["cloudfront:TagResource", "iam:TagRole", "ec2:CreateTags"]) {
      const reference = await requireAction(action);
      expect(supportsConditionKey(reference, "aws:RequestTag/Stack"), action).to.equal(true);
      expect(supportsConditionKey(reference, "aws:ResourceTag/Stack"), action).to.equal(true);
    }
    for (const action of ["cloudfront:UntagResource", "iam:UntagRole", "ec2:DeleteTags"]) {
      expect(supportsConditionKey(await requireAction(action), "aws:TagKeys"), action).to.equal(true);
    }
  });
});
