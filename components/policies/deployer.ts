/**
 * What `pulumi up` for one stack writes, split into managed policies of at most 6,144 characters.
 * The actions come from `DEPLOYER_ACCESS` (what the provider calls per resource type); this file
 * says how far each statement reaches. The read half is `stackReadPolicy`.
 */
import { PolicyDocument, PolicyStatement, policyDocument } from "./document";
import { StatementId, actionsGrantedBy } from "./deployerAccess";
import { CLOUDFRONT_REGION } from "../../domain/cloudfront";
import { STACK_TAG_KEY, StackScope, stackArns, stackRegions } from "./stackScope";

/** Services a Lambda@Edge execution role is handed to when the function is created and replicated. */
export const PASS_ROLE_SERVICES = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] as const;

/** Service-linked roles the stack's resources need on first use. */
export const SERVICE_LINKED_ROLE_SERVICES = [
  "replicator.lambda.amazonaws.com",
  "logger.cloudfront.amazonaws.com",
] as const;

type Condition = NonNullable<PolicyStatement["Condition"]>;
type Scope = Pick<PolicyStatement, "Resource" | "Condition">;

/** Conditions confining a statement to the stack's tagged resources. */
function stackTag(scope: StackScope) {
  const value = scope.stackTag;
  return {
    value,
    /** The resource already carries the stack's tag: updates, deletes, tag changes. */
    onResource: { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: value } } as Condition,
    /** The create request tags the new resource with the stack's tag (tag-on-create). */
    inRequest: { StringEquals: { [`aws:RequestTag/${STACK_TAG_KEY}`]: value } } as Condition,
  };
}

/** Condition blocks that must all hold; keys under one operator are merged. */
function allOf(...conditions: Condition[]): Condition {
  const merged: Record<string, Record<string, string | readonly string[]>> = {};
  for (const condition of conditions) {
    for (const [operator, keys] of Object.entries(condition))
      merged[operator] = { ...merged[operator], ...keys };
  }
  return merged;
}

const inRegions = (regions: readonly string[]): Condition => ({
  StringEquals: { "aws:RequestedRegion": regions },
});

/** The part of the account each statement reaches; undefined: the stack has nothing it could reach. */
export function statementScopes(scope: StackScope): Readonly<Record<StatementId, Scope | undefined>> {
  const arns = stackArns(scope);
  const tag = stackTag(scope);
  const network = (kinds: readonly string[]) =>
    kinds.map((kind) => `arn:aws:ec2:${scope.region}:${scope.accountId}:${kind}/*`);
  const cloudFront = scope.cloudFrontArns ?? [];
  return {
    // Configuration reads AWS cannot scope (no resource types, or generated ids); never data.
    ReadConfiguration: { Resource: "*" },
    ReadStackBuckets: { Resource: arns.buckets },
    ReadStackFunctions: { Resource: arns.functions },
    ReadStackIdentity: { Resource: [arns.roles, arns.policies, ...arns.oidcProviders] },
    ReadStackTables: { Resource: arns.tables },
    ReadStackLogs: { Resource: arns.logGroups },

    // Cache, origin-request and response-headers policies and OACs support no condition keys and
    // get generated ids: creating one is allowed anywhere, changing one only under its own ARN.
    CreateCloudFrontObjects: { Resource: "*" },
    CreateStackDistributions: { Resource: "*", Condition: tag.inRequest },
    TagNewDistributions: { Resource: arns.distributions, Condition: tag.inRequest },
    ManageStackCloudFront: cloudFront.length > 0 ? { Resource: [...cloudFront] } : undefined,
    GrantLogDelivery: { Resource: arns.logBuckets },
    ManageStackFunctions: { Resource: arns.functions },
    // The upload function's resource policy names the CloudFront service (and the distribution).
    GrantCloudFrontInvoke: {
      Resource: arns.functions,
      Condition: { StringEquals: { "lambda:Principal": "cloudfront.amazonaws.com" } },
    },
    ManageStackLogGroups: { Resource: arns.logGroups },
    // Web ACL names are the stack's; a web ACL references AWS-owned managed rule groups.
    ManageStackWebAcl: {
      Resource: [`${arns.webAcls}/*`, `arn:aws:wafv2:${CLOUDFRONT_REGION}:*:global/managedruleset/*`],
    },
    ManageCustomDomainRecords: scope.customDomain
      ? {
          Resource: `arn:aws:route53:::hostedzone/${scope.customDomain.hostedZoneId}`,
          Condition: {
            "ForAllValues:StringLike": {
              "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
                scope.customDomain.name,
                `*.${scope.customDomain.name}`,
              ],
            },
          },
        }
      : undefined,

    // Roles the deployer creates or grants to carry the stack's boundary (and so can do no more).
    ManageBoundedRoles: {
      Resource: arns.roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": arns.boundary } },
    },
    TagStackRoles: { Resource: arns.roles },
    PassStackRolesToLambda: {
      Resource: arns.roles,
      Condition: { StringEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
    },
    CreateServiceLinkedRoles: {
      Resource: `arn:aws:iam::${scope.accountId}:role/aws-service-role/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": [...SERVICE_LINKED_ROLE_SERVICES] } },
    },

    // Control plane only: the deployer never reads or writes credentials.
    ManageStackTables: { Resource: arns.tables, Condition: inRegions(stackRegions(scope)) },
    // The parents (an existing VPC and its subnets) may be untagged; the request must tag the new resource.
    CreateStackNetwork: { Resource: arns.network, Condition: tag.inRequest },
    TagNetworkOnCreate: {
      Resource: arns.network,
      Condition: allOf(tag.inRequest, { Null: { "ec2:CreateAction": "false" } }),
    },
    ManageStackNetwork: { Resource: arns.network, Condition: tag.onResource },
    // Untagged parts the statement above also names: rules of the (tagged) group, and an existing
    // VPC's subnets an endpoint (still tagged) is moved to.
    ReachUntaggedNetworkParts: { Resource: network(["security-group-rule", "subnet"]) },
  };
}

/** Allow statements, in this order, with the table's actions; statements without actions are left out. */
export function grantStatements(scope: StackScope, ids: readonly StatementId[]): PolicyStatement[] {
  const scopes = statementScopes(scope);
  return ids.flatMap((id) => {
    const reach = scopes[id];
    const actions = actionsGrantedBy(id);
    return reach && actions.length > 0
      ? [{ Sid: id, Effect: "Allow" as const, Action: actions, ...reach }]
      : [];
  });
}

/** Writes to the boundary policy the deployer is explicitly denied. */
export const BOUNDARY_WRITE_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:DeletePolicy",
  "iam:TagPolicy",
  "iam:UntagPolicy",
] as const;

/** Tagging actions of the resources confined by the Stack tag: distributions, roles, EC2 objects. */
export const STACK_TAGGING_ACTIONS = {
  add: ["cloudfront:TagResource", "iam:TagRole", "ec2:CreateTags"],
  remove: ["cloudfront:UntagResource", "iam:UntagRole", "ec2:DeleteTags"],
} as const;

/**
 * The explicit denies: they hold whatever an Allow says, now or after a later edit. The Stack tag
 * must not move (no tagging another stack's resources, no Stack tag naming another stack, no
 * removal); the boundary, its attachment and every trust policy stay as an administrator set them;
 * the CI roles, its own above all, are out of reach; package objects are never touched.
 */
function denies(scope: StackScope): PolicyStatement[] {
  const arns = stackArns(scope);
  const { value } = stackTag(scope);
  return [
    {
      // `pulumi up` never reads or writes objects (forceDestroy is off): package files stay out of reach.
      Sid: "DenyPackageData",
      Effect: "Deny",
      Action: "s3:*",
      Resource: `${arns.buckets}/*`,
    },
    {
      Sid: "DenyTaggingOtherStacks",
      Effect: "Deny",
      Action: [...STACK_TAGGING_ACTIONS.add, ...STACK_TAGGING_ACTIONS.remove],
      Resource: "*",
      Condition: {
        StringNotEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: value },
        Null: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: "false" },
      },
    },
    {
      Sid: "DenyStackTagOfOtherStacks",
      Effect: "Deny",
      Action: [...STACK_TAGGING_ACTIONS.add],
      Resource: "*",
      Condition: {
        StringNotEquals: { [`aws:RequestTag/${STACK_TAG_KEY}`]: value },
        Null: { [`aws:RequestTag/${STACK_TAG_KEY}`]: "false" },
      },
    },
    {
      Sid: "DenyStackTagRemoval",
      Effect: "Deny",
      Action: [...STACK_TAGGING_ACTIONS.remove],
      Resource: "*",
      Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": STACK_TAG_KEY } },
    },
    {
      // Trust is who may use a role: rewriting it could hand the edge role to another account.
      Sid: "DenyTrustAndBoundaryRemoval",
      Effect: "Deny",
      Action: ["iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary"],
      Resource: "*",
    },
    {
      Sid: "DenyBoundaryChanges",
      Effect: "Deny",
      Action: [...BOUNDARY_WRITE_ACTIONS],
      Resource: arns.boundary,
    },
    {
      // Its own role above all: no trust, policy or boundary change, no passing the CI roles on.
      Sid: "DenyCiRoleChanges",
      Effect: "Deny",
      NotAction: ["iam:Get*", "iam:List*"],
      Resource: arns.ciRoles,
    },
  ];
}

/** The deployer's write permissions, by managed-policy name suffix. */
export function deployerPolicies(scope: StackScope): Record<"edge" | "identity" | "data", PolicyDocument> {
  return {
    edge: policyDocument(
      grantStatements(scope, [
        "CreateCloudFrontObjects",
        "CreateStackDistributions",
        "TagNewDistributions",
        "ManageStackCloudFront",
        "GrantLogDelivery",
        "ManageStackFunctions",
        "GrantCloudFrontInvoke",
        "ManageStackLogGroups",
        "ManageStackWebAcl",
        "ManageCustomDomainRecords",
      ]),
    ),
    identity: policyDocument([
      ...grantStatements(scope, [
        "ManageBoundedRoles",
        "TagStackRoles",
        "PassStackRolesToLambda",
        "CreateServiceLinkedRoles",
      ]),
      ...denies(scope),
    ]),
    data: policyDocument(
      grantStatements(scope, [
        "ManageStackTables",
        "CreateStackNetwork",
        "TagNetworkOnCreate",
        "ManageStackNetwork",
        "ReachUntaggedNetworkParts",
      ]),
    ),
  };
}
