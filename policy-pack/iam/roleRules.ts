/**
 * Named rules for the IAM roles CI assumes, in the manner of cdk-nag: each rule has an id, says
 * what it guards, and returns findings for a role. Trust rules probe the trust policy with hostile
 * tokens and permission rules probe the policies with requests, both decided by iam-simulate on
 * AWS's authorization data. The policy pack runs `checkRole` on every CI role of a stack; the tests
 * run every rule on compliant and non-compliant roles and on every role every stack creates.
 */
import {
  PolicyDocument,
  PolicyStatement,
  asList,
  hasWildcard,
  iamGlobMatches,
} from "../../components/policies/document";
import { BOUNDARY_WRITE_ACTIONS, PASS_ROLE_SERVICES } from "../../components/policies/deployer";
import { actionsGrantedBy } from "../../components/policies/deployerAccess";
import {
  CI_ROLE_PURPOSES,
  CiRolePurpose,
  STACK_TAG_KEY,
  boundaryPolicyName,
} from "../../components/policies/stackScope";
import { CLOUDFRONT_REGION } from "../../domain/cloudfront";
import { DEPLOYMENT_OPERATIONS, DEPLOY_STACKS, RELEASE_TAG_PREFIX } from "../../domain/delivery";
import {
  CI_SESSION_SECONDS,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_URL,
  PULUMI_OIDC_URL,
  oidcConditionPrefix,
} from "../../domain/oidc";
import { BRANCH_CHANNEL_TAG_VALUE, CHANNEL_TAG_KEY } from "../../domain/storageLayout";
import { expandActionPattern, requireAction } from "./authorizationData";
import { requestContext } from "./requestContext";
import { AccessRequest, Decision, canAssumeWithWebIdentity, decide, federatedPrincipals } from "./simulate";

export type { CiRolePurpose };

export interface RoleUnderReview {
  readonly name: string;
  readonly purpose: CiRolePurpose;
  /** The stack the role belongs to: a deployer or publisher may trust only this stack's environment. */
  readonly stack: string;
  /** `ppi-<stack>`: roles the deployer may pass start with `<namePrefix>-`. */
  readonly namePrefix: string;
  readonly maxSessionDuration?: number;
  readonly trustPolicy: PolicyDocument;
  /** Managed permission policies by name. */
  readonly permissionPolicies: Readonly<Record<string, PolicyDocument>>;
}

export type RuleId =
  | "TRUST_WEB_IDENTITY_ONLY"
  | "OIDC_AUD_PINNED"
  | "OIDC_SUB_PINNED"
  | "MAX_SESSION_ONE_HOUR"
  | "PULL_REQUEST_PREVIEW_ONLY"
  | "DEPLOYER_TRUSTS_OWN_STACK_ONLY"
  | "PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY"
  | "TRUST_POLICY_SIZE"
  | "NO_ADMIN_WILDCARD"
  | "NO_SERVICE_WILDCARD_ON_ALL_RESOURCES"
  | "PASSROLE_SCOPED"
  | "PREVIEWER_READ_ONLY"
  | "PUBLISHER_TENANT_SCOPED"
  | "STS_BEARER_TOKEN_CODEARTIFACT_ONLY"
  | "MANAGED_POLICY_SIZE"
  | "DEPLOYER_ROLE_CREATION_BOUNDED"
  | "BOUNDARY_IMMUTABLE"
  | "DEPLOYER_CANNOT_CHANGE_CI_ROLES"
  | "DEPLOYER_CONFINED_TO_STACK"
  | "DEPLOYER_NO_STORED_DATA";

export interface Rule {
  readonly id: RuleId;
  readonly description: string;
  /** Problems found, each a sentence; empty when the role complies. */
  check(role: RoleUnderReview): string[] | Promise<string[]>;
}

export interface Finding {
  readonly rule: RuleId;
  readonly role: string;
  readonly message: string;
}

export const MANAGED_POLICY_MAX_CHARS = 6144;
/** IAM's default quota for a role trust policy (it can be raised to 4,096; we stay under the default). */
export const TRUST_POLICY_MAX_CHARS = 2048;

const GITHUB_PREFIX = oidcConditionPrefix(GITHUB_OIDC_URL);
const PULUMI_PREFIX = oidcConditionPrefix(PULUMI_OIDC_URL);
const ISSUER_PREFIXES = [GITHUB_PREFIX, PULUMI_PREFIX];

/** Actions that return stored data or credentials rather than configuration. */
const DATA_READ_ACTIONS = [
  "s3:getobject",
  "s3:getobjectversion",
  "dynamodb:getitem",
  "dynamodb:batchgetitem",
  "codeartifact:getauthorizationtoken",
  "codeartifact:getpackageversionasset",
  "secretsmanager:getsecretvalue",
  "ssm:getparameter",
  "ssm:getparameters",
];

const allows = (document: PolicyDocument) => document.Statement.filter((s) => s.Effect === "Allow");
const actionsOf = (statement: PolicyStatement) => asList(statement.Action).map((a) => a.toLowerCase());
const grants = (statement: PolicyStatement, action: string) =>
  actionsOf(statement).some((pattern) => iamGlobMatches(pattern, action));
const permissionStatements = (role: RoleUnderReview) =>
  Object.entries(role.permissionPolicies).flatMap(([name, document]) =>
    allows(document).map((statement) => ({ name, statement })),
  );
const label = (statement: PolicyStatement) => (statement.Sid ? `statement ${statement.Sid}` : "a statement");

/** The issuer prefix (`token.actions.githubusercontent.com`) a trust statement's principal points at. */
function issuerOf(statement: PolicyStatement): string | undefined {
  const arn = federatedPrincipals(statement)[0] ?? "";
  return ISSUER_PREFIXES.find((prefix) => arn.endsWith(`:oidc-provider/${prefix}`));
}

/** Values of `key` under an exact-match or wildcard-match operator. */
function valuesUnder(statement: PolicyStatement, operators: readonly string[], key: string): string[] {
  return operators.flatMap((operator) => asList(statement.Condition?.[operator]?.[key]));
}

const subjectsOf = (statement: PolicyStatement, issuer: string) =>
  valuesUnder(statement, ["StringEquals", "StringLike"], `${issuer}:sub`);

const PINNED_GITHUB_SUBJECT =
  /^repo:[A-Za-z0-9-]+\/[A-Za-z0-9._-]+:(pull_request|environment:[A-Za-z0-9._-]+|ref:refs\/(heads|tags)\/(?=.*[^*?]).+)$/;
const PINNED_PULUMI_SUBJECT =
  /^pulumi:deploy:org:[^*?:]+:project:[^*?:]+:stack:[^*?:]+:operation:[a-z-]+:scope:write$/;

/** `owner/repo` of every GitHub subject in a trust policy, wildcards and all. */
function githubRepositories(trust: PolicyDocument): string[] {
  const repositories = allows(trust)
    .flatMap((s) => subjectsOf(s, GITHUB_PREFIX))
    .map((sub) => /^repo:([^:]*)/.exec(sub)?.[1]);
  return [...new Set(repositories.filter((r): r is string => r !== undefined))];
}

/** Job subjects that, probed against a trust policy, it may accept. */
async function acceptedGithubProbes(role: RoleUnderReview, probes: readonly string[]): Promise<string[]> {
  const providers = [
    ...new Set(
      allows(role.trustPolicy)
        .filter((s) => issuerOf(s) === GITHUB_PREFIX)
        .flatMap(federatedPrincipals),
    ),
  ];
  const accepted: string[] = [];
  for (const repository of githubRepositories(role.trustPolicy)) {
    for (const sub of probes.map((probe) => `repo:${repository}:${probe}`)) {
      for (const provider of providers) {
        const claims = { [`${GITHUB_PREFIX}:aud`]: GITHUB_OIDC_AUDIENCE, [`${GITHUB_PREFIX}:sub`]: sub };
        if (await canAssumeWithWebIdentity(role.trustPolicy, roleArnOf(role), provider, claims)) {
          accepted.push(sub);
          break;
        }
      }
    }
  }
  return accepted;
}

/** The account of a role's trust policy (its OIDC provider's), for probing ARNs in it. */
function accountOf(role: RoleUnderReview): string {
  const arn = allows(role.trustPolicy).flatMap(federatedPrincipals)[0] ?? "";
  return /^arn:aws:iam::(\d{12}):/.exec(arn)?.[1] ?? "123456789012";
}

const roleArnOf = (role: RoleUnderReview) => `arn:aws:iam::${accountOf(role)}:role/${role.name}`;

/** A probe: one action on one resource, with facts AWS would know (kept where it sets them). */
interface Probe {
  readonly action: string;
  readonly resource: string;
  readonly region?: string;
  readonly requestTags?: Readonly<Record<string, string>>;
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly extra?: Readonly<Record<string, string | readonly string[]>>;
  /** The resource's own policy when IAM evaluates one (a KMS key policy). */
  readonly resourcePolicy?: PolicyDocument;
}

/** The default key policy: the account's IAM policies decide, as for the stack's CodeArtifact key. */
const keyPolicyDelegatingToIam = (account: string): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
  ],
});

async function toRequest(probe: Probe): Promise<AccessRequest> {
  const reference = await requireAction(probe.action);
  const resource = reference.wildcardOnly ? "*" : probe.resource;
  const context = await requestContext(probe.action, resource, {
    region: probe.region ?? CLOUDFRONT_REGION,
    requestTags: probe.requestTags,
    resourceTags: probe.resourceTags,
    extra: probe.extra,
  });
  return { action: probe.action, resource, context };
}

/** IAM's decisions on the role's permission policies for each probe. */
async function decideAll(role: RoleUnderReview, probes: readonly Probe[]) {
  const principal = { arn: roleArnOf(role), policies: Object.values(role.permissionPolicies) };
  const decisions: { request: AccessRequest; decision: Decision }[] = [];
  for (const probe of probes) {
    const request = await toRequest(probe);
    decisions.push({ request, decision: await decide(principal, request, probe.resourcePolicy) });
  }
  return decisions;
}

const probes = (
  actions: readonly string[],
  resources: readonly string[],
  facts: Omit<Probe, "action" | "resource"> = {},
) => resources.flatMap((resource) => actions.map((action): Probe => ({ action, resource, ...facts })));

const describeRequest = ({ action, resource, context }: AccessRequest) =>
  `${action} on ${resource}${Object.keys(context).length > 1 ? ` with ${JSON.stringify(context)}` : ""}`;

/** Findings for probes the role may make. */
async function allowedProbes(role: RoleUnderReview, list: readonly Probe[]): Promise<string[]> {
  return (await decideAll(role, list))
    .filter(({ decision }) => decision === "Allowed")
    .map(({ request }) => `allows ${describeRequest(request)}.`);
}

/** Findings for probes the role's policies do not deny explicitly (an Allow added later cannot undo a Deny). */
async function notExplicitlyDenied(role: RoleUnderReview, list: readonly Probe[]): Promise<string[]> {
  return (await decideAll(role, list))
    .filter(({ decision }) => decision !== "ExplicitlyDenied")
    .map(({ request, decision }) => `${describeRequest(request)} is ${decision}, not explicitly denied.`);
}

/** Writes that grant permissions outside roles, by the kind of IAM resource they write. */
const UNBOUNDED_GRANT_ACTIONS: Readonly<Record<"user" | "group" | "policy", readonly string[]>> = {
  user: [
    "iam:CreateUser",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
  ],
  group: ["iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy"],
  policy: ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
};

const otherStacks = (stack: string) => [...DEPLOY_STACKS.filter((s) => s !== stack), `${stack}-other`];
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Refs and jobs that must never deploy: none of them passed the stack's environment. */
const HOSTILE_DEPLOY_PROBES = [
  `ref:refs/tags/${RELEASE_TAG_PREFIX}1.2.3`,
  `ref:refs/tags/${RELEASE_TAG_PREFIX}1.2.3-rc.1`,
  `ref:refs/tags/${RELEASE_TAG_PREFIX}1.2.3-staging`,
  `ref:refs/tags/${RELEASE_TAG_PREFIX}next`,
  "ref:refs/tags/v1.2.3",
  "ref:refs/heads/main",
  "pull_request",
];
/** A package repository's refs and jobs that must never publish outside the environment. */
const HOSTILE_PUBLISH_PROBES = ["ref:refs/tags/v1.2.3", "ref:refs/heads/main", "pull_request"];

/**
 * Findings for a role that must trust only `environment:<its stack>` from GitHub: subjects of any
 * other shape, and hostile jobs (the probes, other stacks' environments) its conditions accept.
 */
async function ownEnvironmentFindings(
  role: RoleUnderReview,
  hostileProbes: readonly string[],
): Promise<string[]> {
  const own = new RegExp(`^repo:[^:*?]+:environment:${escapeRegExp(role.stack)}$`);
  const strays = allows(role.trustPolicy)
    .flatMap((s) => subjectsOf(s, GITHUB_PREFIX))
    .filter((sub) => !own.test(sub))
    .map((sub) => `trusts ${sub}.`);
  const hostile = [...hostileProbes, ...otherStacks(role.stack).map((stack) => `environment:${stack}`)];
  const accepted = (await acceptedGithubProbes(role, hostile)).map((sub) => `accepts ${sub}.`);
  return [...strays, ...accepted];
}

/** Regions the role's permission ARNs name, and us-east-1: where a probe can meet an Allow. */
function regionsOf(role: RoleUnderReview): string[] {
  const regions = Object.values(role.permissionPolicies)
    .flatMap((document) => document.Statement.flatMap((statement) => asList(statement.Resource)))
    .map((arn) => /^arn:aws:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(arn)?.[1])
    .filter((region): region is string => region !== undefined);
  return [...new Set([CLOUDFRONT_REGION, ...regions])];
}

/** Stands for the id of a sibling stack's resource (another stack in the same account). */
const SIBLING_ID = "E2SIBLING0ID";

/**
 * Writes on a sibling stack's resources (tagged `Stack=<sibling>`, or untagged CloudFront objects),
 * and moves of the Stack tag, that the deployer must not make.
 */
function siblingProbes(role: RoleUnderReview, sibling: string): Probe[] {
  const account = accountOf(role);
  const theirs = { [STACK_TAG_KEY]: sibling };
  const ours = { [STACK_TAG_KEY]: role.stack };
  const cloudFront = (kind: string) => `arn:aws:cloudfront::${account}:${kind}/${SIBLING_ID}`;
  const distribution = cloudFront("distribution");
  const global = [
    ...probes(["cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"], [distribution], {
      resourceTags: theirs,
    }),
    // An untagged distribution claimed with Stack=<ours> is still not the stack's own ARN.
    ...probes(["cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"], [distribution], {
      resourceTags: ours,
    }),
    ...probes(["cloudfront:UpdateCachePolicy", "cloudfront:DeleteCachePolicy"], [cloudFront("cache-policy")]),
    ...probes(
      ["cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl"],
      [cloudFront("origin-access-control")],
    ),
    ...probes(
      ["cloudfront:UpdateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy"],
      [cloudFront("response-headers-policy")],
    ),
    // Claiming theirs: retag it Stack=<ours>.
    ...probes(["cloudfront:TagResource"], [distribution], { resourceTags: theirs, requestTags: ours }),
  ];
  return [
    ...global,
    ...regionsOf(role).flatMap((region) => {
      const arn = (service: string, kind: string) =>
        `arn:aws:${service}:${region}:${account}:${kind}/${SIBLING_ID}`;
      const [key, group, endpoint, certificate, webAcl] = [
        arn("kms", "key"),
        arn("ec2", "security-group"),
        arn("ec2", "vpc-endpoint"),
        arn("acm", "certificate"),
        `arn:aws:wafv2:${region}:${account}:global/webacl/ppi-${sibling}-index/${SIBLING_ID}`,
      ];
      const facts = { region, resourceTags: theirs };
      const keyFacts = { ...facts, resourcePolicy: keyPolicyDelegatingToIam(account) };
      return [
        ...probes(
          ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKeyRotation", "kms:CreateGrant"],
          [key],
          keyFacts,
        ),
        ...probes(["kms:CreateGrant"], [key], {
          ...keyFacts,
          extra: { "kms:GrantIsForAWSResource": "true" },
        }),
        ...probes(["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup"], [group], facts),
        ...probes(["ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"], [endpoint], facts),
        ...probes(["acm:DeleteCertificate", "acm:AddTagsToCertificate"], [certificate], facts),
        ...probes(["wafv2:UpdateWebACL", "wafv2:DeleteWebACL"], [webAcl], facts),
        ...probes(
          ["dynamodb:UpdateTable", "dynamodb:DeleteTable"],
          [`arn:aws:dynamodb:${region}:${account}:table/ppi-${sibling}-credentials`],
          { region },
        ),
        ...probes(
          ["codeartifact:DeleteDomain", "codeartifact:PutDomainPermissionsPolicy"],
          [`arn:aws:codeartifact:${region}:${account}:domain/ppi-${sibling}`],
          { region },
        ),
        // Claiming theirs: retag it Stack=<ours>; claiming an untagged one.
        ...[facts, { region }].flatMap((tagged) => [
          ...probes(["kms:TagResource"], [key], {
            ...tagged,
            requestTags: ours,
            resourcePolicy: keyPolicyDelegatingToIam(account),
          }),
          ...probes(["acm:AddTagsToCertificate"], [certificate], { ...tagged, requestTags: ours }),
        ]),
        ...probes(["ec2:CreateTags"], [group, endpoint], { ...facts, requestTags: ours }),
        // Moving ours out: retag it Stack=<theirs>, or drop the Stack tag.
        ...probes(["ec2:CreateTags"], [group], { region, resourceTags: ours, requestTags: theirs }),
        ...probes(["ec2:DeleteTags"], [group], { region, resourceTags: ours, requestTags: ours }),
      ];
    }),
  ];
}

export const IAM_RULES: readonly Rule[] = [
  {
    id: "TRUST_WEB_IDENTITY_ONLY",
    description:
      "A CI role is assumable only with sts:AssumeRoleWithWebIdentity from the GitHub or Pulumi OIDC provider.",
    check: (role) =>
      allows(role.trustPolicy).flatMap((statement) => {
        const actions = actionsOf(statement);
        const problems: string[] = [];
        if (actions.length !== 1 || actions[0] !== "sts:assumerolewithwebidentity") {
          problems.push(
            `${label(statement)} allows ${JSON.stringify(statement.Action)}, not only sts:AssumeRoleWithWebIdentity.`,
          );
        }
        const principal = statement.Principal;
        const onlyFederated =
          principal !== "*" && principal !== undefined && Object.keys(principal).join() === "Federated";
        if (!onlyFederated || issuerOf(statement) === undefined) {
          problems.push(
            `${label(statement)} trusts ${JSON.stringify(principal)}, not a GitHub or Pulumi OIDC provider.`,
          );
        }
        return problems;
      }),
  },
  {
    id: "OIDC_AUD_PINNED",
    description: "Every trust statement requires the issuer's audience with StringEquals and no wildcard.",
    check: (role) =>
      allows(role.trustPolicy).flatMap((statement) => {
        const issuer = issuerOf(statement);
        if (!issuer) return [];
        const audiences = asList(statement.Condition?.StringEquals?.[`${issuer}:aud`]);
        const expected = issuer === GITHUB_PREFIX ? [GITHUB_OIDC_AUDIENCE] : audiences;
        const pinned =
          audiences.length > 0 && audiences.every((aud) => !hasWildcard(aud) && expected.includes(aud));
        return pinned
          ? []
          : [
              `${label(statement)} does not pin ${issuer}:aud with StringEquals (found ${JSON.stringify(audiences)}).`,
            ];
      }),
  },
  {
    id: "OIDC_SUB_PINNED",
    description:
      "Every trust statement pins the subject to one repository (repo:ORG/REPO:<kind>) or one Pulumi stack.",
    check: (role) =>
      allows(role.trustPolicy).flatMap((statement) => {
        const issuer = issuerOf(statement);
        if (!issuer) return [];
        const subjects = subjectsOf(statement, issuer);
        const pinned = issuer === GITHUB_PREFIX ? PINNED_GITHUB_SUBJECT : PINNED_PULUMI_SUBJECT;
        const loose = subjects.filter((sub) => !pinned.test(sub));
        if (subjects.length === 0)
          return [`${label(statement)} has no StringEquals/StringLike condition on ${issuer}:sub.`];
        return loose.length > 0
          ? [`${label(statement)} has unpinned subjects ${JSON.stringify(loose)}.`]
          : [];
      }),
  },
  {
    id: "MAX_SESSION_ONE_HOUR",
    description: "CI sessions last at most one hour.",
    check: (role) =>
      role.maxSessionDuration !== undefined && role.maxSessionDuration <= CI_SESSION_SECONDS.max
        ? []
        : [
            `maxSessionDuration is ${role.maxSessionDuration ?? "unset (AWS default)"}; set at most ${CI_SESSION_SECONDS.max}.`,
          ],
  },
  {
    id: "PULL_REQUEST_PREVIEW_ONLY",
    description:
      "Only the read-only previewer trusts pull_request jobs: code under review never gets write access.",
    check: async (role) =>
      role.purpose === "previewer"
        ? []
        : (await acceptedGithubProbes(role, ["pull_request"])).map(
            (sub) => `a ${role.purpose} accepts ${sub}.`,
          ),
  },
  {
    id: "DEPLOYER_TRUSTS_OWN_STACK_ONLY",
    description:
      "A deployer trusts only Pulumi Deployments of its own stack and GitHub jobs in the environment named like its stack: never a ref, a pull request or another stack.",
    check: async (role) => {
      if (role.purpose !== "deployer") return [];
      // OIDC_SUB_PINNED keeps Pulumi subjects free of wildcards, so their text is what they accept.
      const ownStack = new RegExp(
        `^pulumi:deploy:org:[^:]+:project:[^:]+:stack:${escapeRegExp(role.stack)}:operation:(${DEPLOYMENT_OPERATIONS.join("|")}):scope:write$`,
      );
      const pulumiStrays = allows(role.trustPolicy)
        .flatMap((s) => subjectsOf(s, PULUMI_PREFIX))
        .filter((sub) => !ownStack.test(sub))
        .map((sub) => `trusts ${sub}.`);
      return [...(await ownEnvironmentFindings(role, HOSTILE_DEPLOY_PROBES)), ...pulumiStrays];
    },
  },
  {
    id: "PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY",
    description:
      "A publisher trusts only jobs in the package repositories' environment named like its stack, whose ref rules and reviewers guard it.",
    check: async (role) => {
      if (role.purpose !== "publisher") return [];
      const pulumi = allows(role.trustPolicy).some((s) => issuerOf(s) === PULUMI_PREFIX);
      return [
        ...(await ownEnvironmentFindings(role, HOSTILE_PUBLISH_PROBES)),
        ...(pulumi ? ["trusts Pulumi Deployments; only package repositories' CI publishes."] : []),
      ];
    },
  },
  {
    id: "TRUST_POLICY_SIZE",
    description: `A trust policy fits IAM's default ${TRUST_POLICY_MAX_CHARS}-character limit (whitespace excluded).`,
    check: (role) => {
      const size = JSON.stringify(role.trustPolicy).length;
      return size > TRUST_POLICY_MAX_CHARS
        ? [`the trust policy is ${size} characters; IAM accepts ${TRUST_POLICY_MAX_CHARS} by default.`]
        : [];
    },
  },
  {
    id: "NO_ADMIN_WILDCARD",
    description:
      "No statement allows every action on every resource, or uses NotAction/NotResource to allow.",
    check: (role) =>
      permissionStatements(role).flatMap(({ name, statement }) => {
        if (statement.NotAction || statement.NotResource)
          return [`${name}: ${label(statement)} allows with NotAction/NotResource.`];
        const everyAction = actionsOf(statement).some((a) => a === "*" || a === "*:*");
        const everyResource = asList(statement.Resource).includes("*");
        return everyAction && everyResource ? [`${name}: ${label(statement)} allows * on *.`] : [];
      }),
  },
  {
    id: "NO_SERVICE_WILDCARD_ON_ALL_RESOURCES",
    description: "No statement allows a whole service (`svc:*`) on every resource.",
    check: (role) =>
      permissionStatements(role).flatMap(({ name, statement }) => {
        const whole = actionsOf(statement).filter((a) => /^[a-z0-9-]+:\*$/.test(a));
        return whole.length > 0 && asList(statement.Resource).includes("*")
          ? [`${name}: ${label(statement)} allows ${whole.join(", ")} on *.`]
          : [];
      }),
  },
  {
    id: "PASSROLE_SCOPED",
    description: "iam:PassRole only for the stack's own roles, and only to Lambda / Lambda@Edge.",
    check: (role) =>
      permissionStatements(role)
        .filter(({ statement }) => grants(statement, "iam:passrole"))
        .flatMap(({ name, statement }) => {
          const ownRoles = new RegExp(`^arn:aws:iam::\\d{12}:role/${role.namePrefix}-[^*?]*\\*?$`);
          const resources = asList(statement.Resource);
          const services = asList(statement.Condition?.StringEquals?.["iam:PassedToService"]);
          const problems: string[] = [];
          if (resources.length === 0 || !resources.every((r) => ownRoles.test(r))) {
            problems.push(
              `${name}: ${label(statement)} passes roles ${JSON.stringify(resources)} outside ${role.namePrefix}-*.`,
            );
          }
          if (
            services.length === 0 ||
            !services.every((s) => (PASS_ROLE_SERVICES as readonly string[]).includes(s))
          ) {
            problems.push(
              `${name}: ${label(statement)} passes roles to ${JSON.stringify(services)}, not only ${PASS_ROLE_SERVICES.join(", ")}.`,
            );
          }
          return problems;
        }),
  },
  {
    id: "PREVIEWER_READ_ONLY",
    description:
      "Every action the previewer is granted has the Read or List access level of the Service Authorization Reference, and none returns stored data.",
    check: async (role) => {
      if (role.purpose !== "previewer") return [];
      const problems: string[] = [];
      for (const { name, statement } of permissionStatements(role)) {
        for (const entry of asList(statement.Action)) {
          const actions = hasWildcard(entry) ? await expandActionPattern(entry) : [entry];
          for (const action of actions) {
            const reference = await requireAction(action);
            const dataRead = DATA_READ_ACTIONS.includes(action.toLowerCase());
            if (!["Read", "List"].includes(reference.accessLevel) || dataRead) {
              problems.push(
                `${name}: ${label(statement)} allows ${action} (${dataRead ? "returns stored data" : reference.accessLevel}), which is not a configuration read.`,
              );
            }
          }
        }
      }
      return problems;
    },
  },
  {
    id: "PUBLISHER_TENANT_SCOPED",
    description:
      "The publisher reaches S3 only under `<bucket>/<tenant>/*`, lists only those prefixes, never deletes, and may tag no main-channel object.",
    check: async (role) =>
      role.purpose !== "publisher"
        ? []
        : permissionStatements(role)
            .filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith("s3:") || a === "*"))
            .flatMap(({ name, statement }) => {
              const problems: string[] = [];
              const deletes = actionsOf(statement).filter((a) => iamGlobMatches(a, "s3:deleteobject"));
              if (deletes.length > 0)
                problems.push(`${name}: ${label(statement)} allows ${deletes.join(", ")}.`);
              for (const resource of asList(statement.Resource)) {
                const bucketLevel = /^arn:aws:s3:::[^/*?]+$/.test(resource);
                // `<bucket>/<tenant>/…`: the tenant segment itself has no wildcard.
                const tenantObjects = /^arn:aws:s3:::[^/*?]+\/[^/*?]+\/.+$/.test(resource);
                const prefixes = asList(statement.Condition?.StringLike?.["s3:prefix"]);
                const listsTenantsOnly =
                  prefixes.length > 0 && prefixes.every((p) => /^[^/*?]+\/\*$/.test(p));
                if (!tenantObjects && !(bucketLevel && listsTenantsOnly)) {
                  problems.push(`${name}: ${label(statement)} reaches ${resource} beyond a tenant prefix.`);
                }
              }
              return problems;
            })
            .concat(await mainChannelTagging(role)),
  },
  {
    id: "STS_BEARER_TOKEN_CODEARTIFACT_ONLY",
    description: "sts:GetServiceBearerToken is allowed only for codeartifact.amazonaws.com.",
    check: (role) =>
      permissionStatements(role)
        .filter(({ statement }) => grants(statement, "sts:getservicebearertoken"))
        .flatMap(({ name, statement }) => {
          const services = asList(statement.Condition?.StringEquals?.["sts:AWSServiceName"]);
          return services.length === 1 && services[0] === "codeartifact.amazonaws.com"
            ? []
            : [
                `${name}: ${label(statement)} allows sts:GetServiceBearerToken for ${JSON.stringify(services)}.`,
              ];
        }),
  },
  {
    id: "MANAGED_POLICY_SIZE",
    description: `A managed policy fits IAM's ${MANAGED_POLICY_MAX_CHARS}-character limit (whitespace excluded).`,
    check: (role) =>
      Object.entries(role.permissionPolicies).flatMap(([name, document]) => {
        const size = JSON.stringify(document).length;
        return size > MANAGED_POLICY_MAX_CHARS ? [`${name} is ${size} characters; split it.`] : [];
      }),
  },
  {
    id: "DEPLOYER_ROLE_CREATION_BOUNDED",
    description:
      "The deployer creates or grants to roles only with iam:PermissionsBoundary = the stack's boundary, and never writes users, groups or managed policy versions.",
    check: async (role) => {
      if (role.purpose !== "deployer") return [];
      const account = accountOf(role);
      const p = role.namePrefix;
      const roles = [`arn:aws:iam::${account}:role/${p}-probe`, `arn:aws:iam::${account}:role/other-probe`];
      const foreignBoundary = `arn:aws:iam::aws:policy/AdministratorAccess`;
      const bounded = actionsGrantedBy("ManageBoundedRoles");
      return allowedProbes(role, [
        ...probes(bounded, roles),
        ...probes(bounded, roles, { extra: { "iam:PermissionsBoundary": foreignBoundary } }),
        ...Object.entries(UNBOUNDED_GRANT_ACTIONS).flatMap(([kind, actions]) =>
          probes(actions, [`arn:aws:iam::${account}:${kind}/${p}-probe`]),
        ),
      ]);
    },
  },
  {
    id: "BOUNDARY_IMMUTABLE",
    description:
      "The deployer is explicitly denied changing or deleting the boundary policy, removing a role's boundary, and rewriting any role's trust.",
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      const account = accountOf(role);
      const p = role.namePrefix;
      const boundary = `arn:aws:iam::${account}:policy/${boundaryPolicyName(p)}`;
      return notExplicitlyDenied(role, [
        ...probes(BOUNDARY_WRITE_ACTIONS, [boundary]),
        ...probes(
          ["iam:DeleteRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"],
          [`arn:aws:iam::${account}:role/${p}-viewer-request`, `arn:aws:iam::${account}:role/${p}-probe`],
          { extra: { "iam:PermissionsBoundary": boundary } },
        ),
      ]);
    },
  },
  {
    id: "DEPLOYER_CANNOT_CHANGE_CI_ROLES",
    description:
      "The deployer is explicitly denied changing its own and the other CI roles (trust, policies, boundary, passing them on).",
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      const account = accountOf(role);
      const p = role.namePrefix;
      // The facts satisfy every Allow the deployer has on ordinary roles: only a Deny may stop it.
      const extra = {
        "iam:PermissionsBoundary": `arn:aws:iam::${account}:policy/${boundaryPolicyName(p)}`,
        "iam:PassedToService": "lambda.amazonaws.com",
      };
      return notExplicitlyDenied(
        role,
        probes(
          [
            ...actionsGrantedBy("ManageBoundedRoles"),
            ...actionsGrantedBy("TagStackRoles"),
            "iam:UpdateAssumeRolePolicy",
            "iam:PassRole",
          ],
          CI_ROLE_PURPOSES.map((purpose) => `arn:aws:iam::${account}:role/${p}-${purpose}`),
          { extra, requestTags: { [STACK_TAG_KEY]: role.stack } },
        ),
      );
    },
  },
  {
    id: "DEPLOYER_CONFINED_TO_STACK",
    description:
      "The deployer cannot update, delete or retag a sibling stack's distribution, cache/OAC/headers policies, key, security group, VPC endpoint, certificate, web ACL, table or CodeArtifact domain, nor move or remove its own Stack tag.",
    check: (role) =>
      role.purpose !== "deployer" ? [] : allowedProbes(role, siblingProbes(role, otherStacks(role.stack)[0])),
  },
  {
    id: "DEPLOYER_NO_STORED_DATA",
    description:
      "The deployer cannot read or write package files, nor change who reads them or how long they live (bucket policy, public-access block, lifecycle), nor reach credentials-table items in any region.",
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      const p = role.namePrefix;
      const account = accountOf(role);
      const bucket = `arn:aws:s3:::${p}-index-probe`;
      return allowedProbes(role, [
        ...probes(
          ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
          [`${bucket}/acme/main/files/demo/demo-1.0-py3-none-any.whl`],
        ),
        ...probes(
          [
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketVersioning",
            "s3:DeleteBucket",
          ],
          [bucket],
        ),
        ...regionsOf(role).flatMap((region) =>
          probes(
            [
              "dynamodb:GetItem",
              "dynamodb:PutItem",
              "dynamodb:UpdateItem",
              "dynamodb:DeleteItem",
              "dynamodb:Scan",
              "dynamodb:Query",
              "dynamodb:DeleteTable",
            ],
            [`arn:aws:dynamodb:${region}:${account}:table/${p}-credentials`],
            { region },
          ),
        ),
      ]);
    },
  },
];

/** Publisher statements that let it tag a main-channel object (so that the branch-expiry rule deletes it). */
async function mainChannelTagging(role: RoleUnderReview): Promise<string[]> {
  const buckets = [
    ...new Set(
      permissionStatements(role)
        .flatMap(({ statement }) => asList(statement.Resource))
        .map((arn) => /^arn:aws:s3:::([^/*?]+)/.exec(arn)?.[1])
        .filter((bucket): bucket is string => bucket !== undefined),
    ),
  ];
  const tenants = [
    ...new Set(
      permissionStatements(role)
        .flatMap(({ statement }) => asList(statement.Resource))
        .map((arn) => /^arn:aws:s3:::[^/]+\/([^/*?]+)\//.exec(arn)?.[1])
        .filter((tenant): tenant is string => tenant !== undefined),
    ),
  ];
  return allowedProbes(
    role,
    buckets.flatMap((bucket) =>
      probes(
        ["s3:PutObjectTagging"],
        tenants.map((tenant) => `arn:aws:s3:::${bucket}/${tenant}/main/files/demo/demo-1.0-py3-none-any.whl`),
        {
          extra: {
            [`s3:RequestObjectTag/${CHANNEL_TAG_KEY}`]: BRANCH_CHANNEL_TAG_VALUE,
            "s3:RequestObjectTagKeys": [CHANNEL_TAG_KEY],
          },
        },
      ),
    ),
  );
}

/** Every finding of every rule for one role. */
export async function checkRole(
  role: RoleUnderReview,
  rules: readonly Rule[] = IAM_RULES,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const message of await rule.check(role)) findings.push({ rule: rule.id, role: role.name, message });
  }
  return findings;
}
