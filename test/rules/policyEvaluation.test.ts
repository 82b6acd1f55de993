import { expect } from "chai";
import { PolicyStatement, policyDocument } from "../../components/policies/document";
import { AccessRequest, Decision, RequestContext, evaluate } from "../../rules/policyEvaluation";

const ROLE = "arn:aws:iam::123456789012:role/ppi-dev-viewer-request";
const BOUNDARY = "arn:aws:iam::123456789012:policy/ppi-dev-boundary";

const DOMAIN_RECORDS_ONLY: PolicyStatement = {
  Effect: "Allow",
  Action: "route53:ChangeResourceRecordSets",
  Resource: "*",
  Condition: {
    "ForAllValues:StringLike": {
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["pypi.example.com", "*.pypi.example.com"],
    },
  },
};
const changeRecords = (names: string[]): AccessRequest => ({
  action: "route53:ChangeResourceRecordSets",
  resource: "arn:aws:route53:::hostedzone/Z1",
  context: { "route53:ChangeResourceRecordSetsNormalizedRecordNames": names },
});

const cases: { title: string; statements: PolicyStatement[]; request: AccessRequest; decision: Decision }[] =
  [
    {
      title: "an action wildcard, case-insensitively",
      statements: [{ Effect: "Allow", Action: "S3:Get*", Resource: "arn:aws:s3:::ppi-dev-*" }],
      request: { action: "s3:GetBucketAcl", resource: "arn:aws:s3:::ppi-dev-logs-1" },
      decision: "allowed",
    },
    {
      title: "a resource outside the pattern (resources are case-sensitive)",
      statements: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::ppi-dev-*" }],
      request: { action: "s3:GetBucketAcl", resource: "arn:aws:s3:::PPI-dev-logs" },
      decision: "implicitDeny",
    },
    {
      title: "NotAction allows what it does not name",
      statements: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
      request: { action: "s3:PutObject", resource: "arn:aws:s3:::x/y" },
      decision: "allowed",
    },
    {
      title: "NotAction does not allow what it names",
      statements: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
      request: { action: "iam:CreateRole", resource: ROLE },
      decision: "implicitDeny",
    },
    {
      title: "NotResource",
      statements: [{ Effect: "Allow", Action: "iam:*", NotResource: ROLE }],
      request: { action: "iam:CreateRole", resource: ROLE },
      decision: "implicitDeny",
    },
    {
      title: "an explicit Deny wins over an Allow",
      statements: [
        { Effect: "Allow", Action: "iam:*", Resource: "*" },
        { Effect: "Deny", NotAction: ["iam:Get*", "iam:List*"], Resource: ROLE },
      ],
      request: { action: "iam:UpdateAssumeRolePolicy", resource: ROLE },
      decision: "explicitDeny",
    },
    {
      title: "a StringEquals condition with the key present",
      statements: [
        {
          Effect: "Allow",
          Action: "iam:CreateRole",
          Resource: "*",
          Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } },
        },
      ],
      request: { action: "iam:CreateRole", resource: ROLE, context: { "iam:permissionsboundary": BOUNDARY } },
      decision: "allowed",
    },
    {
      title: "a StringEquals condition with the key absent",
      statements: [
        {
          Effect: "Allow",
          Action: "iam:CreateRole",
          Resource: "*",
          Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } },
        },
      ],
      request: { action: "iam:CreateRole", resource: ROLE },
      decision: "implicitDeny",
    },
    {
      title: "a StringNotEquals condition with the key absent",
      statements: [
        {
          Effect: "Deny",
          Action: "iam:CreateRole",
          Resource: "*",
          Condition: { StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY } },
        },
      ],
      request: { action: "iam:CreateRole", resource: ROLE },
      decision: "explicitDeny",
    },
    {
      title: "ForAllValues:StringLike with every value matching",
      statements: [DOMAIN_RECORDS_ONLY],
      request: changeRecords(["pypi.example.com", "_x.pypi.example.com"]),
      decision: "allowed",
    },
    {
      title: "ForAllValues:StringLike with one value outside",
      statements: [DOMAIN_RECORDS_ONLY],
      request: changeRecords(["pypi.example.com", "www.example.com"]),
      decision: "implicitDeny",
    },
    {
      title: "Bool, compared case-insensitively",
      statements: [
        {
          Effect: "Allow",
          Action: "kms:CreateGrant",
          Resource: "*",
          Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
      ],
      request: {
        action: "kms:CreateGrant",
        resource: "arn:aws:kms:eu-west-1:1:key/k",
        context: { "kms:GrantIsForAWSResource": "True" },
      },
      decision: "allowed",
    },
    ...(["absent", "present"] as const).flatMap((presence) =>
      (["true", "false"] as const).map((expected) => ({
        title: `Null "${expected}" with the key ${presence}`,
        statements: [
          {
            Effect: "Deny" as const,
            Action: "kms:TagResource",
            Resource: "*",
            Condition: { Null: { "aws:ResourceTag/Stack": expected } },
          },
        ],
        request: {
          action: "kms:TagResource",
          resource: "arn:aws:kms:eu-west-1:1:key/k",
          context: (presence === "present" ? { "aws:resourcetag/Stack": "prod" } : {}) as RequestContext,
        },
        decision: ((presence === "absent") === (expected === "true")
          ? "explicitDeny"
          : "implicitDeny") as Decision,
      })),
    ),
  ];

describe("policy evaluation", () => {
  for (const { title, statements, request, decision } of cases) {
    it(`${title}: ${decision}`, () => {
      expect(evaluate([policyDocument(statements)], request)).to.equal(decision);
    });
  }

  const unknown: PolicyStatement = {
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: "*",
    Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
  };
  const request = { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" };

  it("refuses an unknown condition operator when asked to prove access", () => {
    expect(() => evaluate([policyDocument([unknown])], request)).to.throw(
      /condition operator IpAddress is not supported; teach rules\/policyEvaluation.ts/,
    );
  });

  it("counts an unknown condition operator as satisfied when asked to err towards access", () => {
    expect(evaluate([policyDocument([unknown])], request, "satisfied")).to.equal("allowed");
  });
});
