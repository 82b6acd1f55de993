/**
 * Named rules for the IAM roles CI assumes, in the manner of cdk-nag: each rule has an id, says
 * what it guards, and returns findings for a role. The tests run every rule on compliant and
 * non-compliant documents, and the program tests run `checkRole` on every role every stack creates.
 */
import {
  PolicyDocument,
  PolicyStatement,
  asList,
  hasWildcard,
  iamGlobMatches,
} from "../components/policies/document";
import {
  BOUNDARY_WRITE_ACTIONS,
  BOUNDED_ROLE_ACTIONS,
  PASS_ROLE_SERVICES,
} from "../components/policies/deployer";
import {
  CI_ROLE_PURPOSES,
  CiRolePurpose,
  STACK_TAG_KEY,
  boundaryPolicyName,
} from "../components/policies/stackScope";
import {} from "../components/policies/trust";
import {
  CI_SESSION_SECONDS,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_URL,
  PULUMI_OIDC_URL,
  oidcConditionPrefix,
} from "../domain/oidc";
import { DEPLOYMENT_OPERATIONS, DEPLOY_STACKS, RELEASE_TAG_PREFIX } from "../domain/delivery";
import { AccessRequest, Decision, RequestContext, evaluate } from "./policyEvaluation";
import { canAssume, federatedPrincipals } from "./trustEvaluation";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";

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
  check(role: RoleUnderReview): string[];
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
function acceptedGithubProbes(trust: PolicyDocument, probes: readonly string[]): string[] {
  const providers = [
    ...new Set(
      allows(trust)
        .filter((s) => issuerOf(s) === GITHUB_PREFIX)
        .flatMap(federatedPrincipals),
    ),
  ];
  return githubRepositories(trust).flatMap((repository) =>
    probes
      .map((probe) => `repo:${repository}:${probe}`)
      .filter((sub) =>
        providers.some((provider) =>
          canAssume(trust, provider, {
            [`${GITHUB_PREFIX}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_PREFIX}:sub`]: sub,
          }),
        ),
      ),
  );
}

/** The account of a role's trust policy (its OIDC provider's), for probing ARNs in it. */
function accountOf(role: RoleUnderReview): string {
  const arn = allows(role.trustPolicy).flatMap(federatedPrincipals)[0] ?? "";
  return /^arn:aws:iam::(\d{12}):/.exec(arn)?.[1] ?? "123456789012";
}

/** Decisions of the role's permission policies on probes; an unknown operator errs as stated. */
function decide(role: RoleUnderReview, requests: readonly AccessRequest[], onUnknown: "satisfied" | "throw") {
  const documents = Object.values(role.permissionPolicies);
  return requests.map((request) => ({
    request,
    decision: evaluate(documents, request, onUnknown) as Decision,
  }));
}

const probe = (actions: readonly string[], resources: readonly string[], context: RequestContext) =>
  resources.flatMap((resource) => actions.map((action): AccessRequest => ({ action, resource, context })));

const describeProbe = ({ action, resource }: AccessRequest) => `${action} on ${resource}`;
const boundaryNote = ({ context }: AccessRequest) =>
  context?.["iam:PermissionsBoundary"]
    ? `with boundary ${context["iam:PermissionsBoundary"]}`
    : "without a boundary";

/** Findings for probes the role's policies do not deny explicitly (an Allow added later cannot undo a Deny). */
function notExplicitlyDenied(role: RoleUnderReview, requests: readonly AccessRequest[]): string[] {
  return decide(role, requests, "throw")
    .filter(({ decision }) => decision !== "explicitDeny")
    .map(({ request, decision }) => `${describeProbe(request)} is ${decision}, not explicitly denied.`);
}

/** Writes that grant permissions outside roles: users, groups, managed policy versions. */
const UNBOUNDED_GRANT_ACTIONS = [
  "iam:CreateUser",
  "iam:PutUserPolicy",
  "iam:AttachUserPolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AddUserToGroup",
  "iam:PutGroupPolicy",
  "iam:AttachGroupPolicy",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
];

const otherStacks = (stack: string) => [...DEPLOY_STACKS.filter((s) => s !== stack), `${stack}-other`];
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** What Pulumi Deployments may do as the deployer; `destroy` stays an administrator's run. */

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
function ownEnvironmentFindings(role: RoleUnderReview, probes: readonly string[]): string[] {
  const own = new RegExp(`^repo:[^:*?]+:environment:${escapeRegExp(role.stack)}$`);
  const strays = allows(role.trustPolicy)
    .flatMap((s) => subjectsOf(s, GITHUB_PREFIX))
    .filter((sub) => !own.test(sub))
    .map((sub) => `trusts ${sub}.`);
  const hostile = [...probes, ...otherStacks(role.stack).map((stack) => `environment:${stack}`)];
  const accepted = acceptedGithubProbes(role.trustPolicy, hostile).map((sub) => `accepts ${sub}.`);
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

const requestsAt = (context: RequestContext, pairs: readonly (readonly [string, string])[]) =>
  pairs.map(([action, resource]): AccessRequest => ({ action, resource, context }));

/** Writes on a sibling stack's tagged resources, and moves of the Stack tag, the deployer must not make. */
function siblingProbes(role: RoleUnderReview, sibling: string): AccessRequest[] {
  const account = accountOf(role);
  const tag = (kind: "Resource" | "Request", value: string) => ({
    [`aws:${kind}Tag/${STACK_TAG_KEY}`]: value,
  });
  const distribution = `arn:aws:cloudfront::${account}:distribution/${SIBLING_ID}`;
  return regionsOf(role).flatMap((region) => {
    const arn = (service: string, kind: string) =>
      `arn:aws:${service}:${region}:${account}:${kind}/${SIBLING_ID}`;
    const [key, group, endpoint, certificate] = [
      arn("kms", "key"),
      arn("ec2", "security-group"),
      arn("ec2", "vpc-endpoint"),
      arn("acm", "certificate"),
    ];
    const theirs: RequestContext = { "aws:RequestedRegion": region, ...tag("Resource", sibling) };
    const ours: RequestContext = { "aws:RequestedRegion": region, ...tag("Resource", role.stack) };
    const stackKey = { "aws:TagKeys": [STACK_TAG_KEY] };
    return [
      ...probe(["cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"], [distribution], theirs),
      ...probe(["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKeyRotation"], [key], theirs),
      ...probe(["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup"], [group], theirs),
      ...probe(["ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"], [endpoint], theirs),
      ...probe(["acm:DeleteCertificate"], [certificate], theirs),
      // Claiming theirs: retag it Stack=<ours>, which would put it in reach.
      ...requestsAt({ ...theirs, ...tag("Request", role.stack), ...stackKey }, [
        ["cloudfront:TagResource", distribution],
        ["kms:TagResource", key],
        ["ec2:CreateTags", group],
        ["ec2:CreateTags", endpoint],
        ["acm:AddTagsToCertificate", certificate],
      ]),
      // Moving ours out: retag it Stack=<theirs>, or drop the Stack tag.
      ...requestsAt({ ...ours, ...tag("Request", sibling), ...stackKey }, [
        ["kms:TagResource", key],
        ["ec2:CreateTags", group],
      ]),
      ...requestsAt({ ...ours, ...stackKey }, [
        ["kms:UntagResource", key],
        ["ec2:DeleteTags", group],
      ]),
    ];
  });
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
    check: (role) =>
      role.purpose === "previewer"
        ? []
        : acceptedGithubProbes(role.trustPolicy, ["pull_request"]).map(
            (sub) => `a ${role.purpose} accepts ${sub}.`,
          ),
  },
  {
    id: "DEPLOYER_TRUSTS_OWN_STACK_ONLY",
    description:
      "A deployer trusts only Pulumi Deployments of its own stack and GitHub jobs in the environment named like its stack: never a ref, a pull request or another stack.",
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      // OIDC_SUB_PINNED keeps Pulumi subjects free of wildcards, so their text is what they accept.
      const ownStack = new RegExp(
        `^pulumi:deploy:org:[^:]+:project:[^:]+:stack:${escapeRegExp(role.stack)}:operation:(${DEPLOYMENT_OPERATIONS.join("|")}):scope:write$`,
      );
      const pulumiStrays = allows(role.trustPolicy)
        .flatMap((s) => subjectsOf(s, PULUMI_PREFIX))
        .filter((sub) => !ownStack.test(sub))
        .map((sub) => `trusts ${sub}.`);
      return [...ownEnvironmentFindings(role, HOSTILE_DEPLOY_PROBES), ...pulumiStrays];
    },
  },
  {
    id: "PUBLISHER_TRUSTS_OWN_ENVIRONMENT_ONLY",
    description:
      "A publisher trusts only jobs in the package repositories' environment named like its stack, whose ref rules and reviewers guard it.",
    check: (role) => {
      if (role.purpose !== "publisher") return [];
      const pulumi = allows(role.trustPolicy).some((s) => issuerOf(s) === PULUMI_PREFIX);
      return [
        ...ownEnvironmentFindings(role, HOSTILE_PUBLISH_PROBES),
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
    description: "The previewer only describes, gets and lists configuration: no write, no stored data.",
    check: (role) =>
      role.purpose !== "previewer"
        ? []
        : permissionStatements(role).flatMap(({ name, statement }) =>
            actionsOf(statement)
              .filter(
                (action) =>
                  !/^[a-z0-9-]+:(get|list|describe)/.test(action) ||
                  DATA_READ_ACTIONS.some((d) => iamGlobMatches(action, d)),
              )
              .map(
                (action) =>
                  `${name}: ${label(statement)} allows ${action}, which is not a configuration read.`,
              ),
          ),
  },
  {
    id: "PUBLISHER_TENANT_SCOPED",
    description:
      "The publisher reaches S3 only under `<bucket>/<tenant>/*`, lists only those prefixes, and never deletes.",
    check: (role) =>
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
                const tenantObjects = /^arn:aws:s3:::[^/*?]+\/[^/*?]+\/\*$/.test(resource);
                const prefixes = asList(statement.Condition?.StringLike?.["s3:prefix"]);
                const listsTenantsOnly =
                  prefixes.length > 0 && prefixes.every((p) => /^[^/*?]+\/\*$/.test(p));
                if (!tenantObjects && !(bucketLevel && listsTenantsOnly)) {
                  problems.push(`${name}: ${label(statement)} reaches ${resource} beyond a tenant prefix.`);
                }
              }
              return problems;
            }),
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
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      const account = accountOf(role);
      const p = role.namePrefix;
      const roles = [`arn:aws:iam::${account}:role/${p}-probe`, `arn:aws:iam::${account}:role/other-probe`];
      const foreignBoundary = `arn:aws:iam::aws:policy/AdministratorAccess`;
      const region = { "aws:RequestedRegion": "us-east-1" };
      const unbounded = [
        ...probe(BOUNDED_ROLE_ACTIONS, roles, region),
        ...probe(BOUNDED_ROLE_ACTIONS, roles, { ...region, "iam:PermissionsBoundary": foreignBoundary }),
        ...probe(
          UNBOUNDED_GRANT_ACTIONS,
          ["user", "group", "policy"].map((kind) => `arn:aws:iam::${account}:${kind}/${p}-probe`),
          region,
        ),
      ];
      return decide(role, unbounded, "satisfied")
        .filter(({ decision }) => decision === "allowed")
        .map(({ request }) => `allows ${describeProbe(request)} ${boundaryNote(request)}.`);
    },
  },
  {
    id: "BOUNDARY_IMMUTABLE",
    description:
      "The deployer is explicitly denied changing or deleting the boundary policy and removing a role's boundary.",
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      const account = accountOf(role);
      const p = role.namePrefix;
      const region = { "aws:RequestedRegion": "us-east-1" };
      const requests = [
        ...probe(BOUNDARY_WRITE_ACTIONS, [`arn:aws:iam::${account}:policy/${boundaryPolicyName(p)}`], region),
        ...probe(
          ["iam:DeleteRolePermissionsBoundary"],
          [`arn:aws:iam::${account}:role/${p}-viewer-request`, `arn:aws:iam::${account}:role/${p}-probe`],
          region,
        ),
      ];
      return notExplicitlyDenied(role, requests);
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
      // The context satisfies every Allow the deployer has on ordinary roles: only a Deny may stop it.
      const context = {
        "aws:RequestedRegion": "us-east-1",
        "iam:PermissionsBoundary": `arn:aws:iam::${account}:policy/${boundaryPolicyName(p)}`,
        "iam:PassedToService": "lambda.amazonaws.com",
      };
      const requests = probe(
        [
          ...BOUNDED_ROLE_ACTIONS,
          "iam:UpdateAssumeRolePolicy",
          "iam:DeleteRole",
          "iam:UpdateRole",
          "iam:PassRole",
        ],
        CI_ROLE_PURPOSES.map((purpose) => `arn:aws:iam::${account}:role/${p}-${purpose}`),
        context,
      );
      return notExplicitlyDenied(role, requests);
    },
  },
  {
    id: "DEPLOYER_CONFINED_TO_STACK",
    description:
      "The deployer cannot update, delete or retag a sibling stack's distribution, KMS key, security group, VPC endpoint or certificate (Stack tag), nor move or remove its own Stack tag.",
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      const sibling = `${role.stack}-sibling`;
      return decide(role, siblingProbes(role, sibling), "satisfied")
        .filter(({ decision }) => decision === "allowed")
        .map(({ request }) => `allows ${describeProbe(request)} with ${JSON.stringify(request.context)}.`);
    },
  },
  {
    id: "DEPLOYER_NO_STORED_DATA",
    description:
      "The deployer cannot read or write package files in the stack's buckets, nor items of the credentials table.",
    check: (role) => {
      if (role.purpose !== "deployer") return [];
      const p = role.namePrefix;
      const requests = regionsOf(role).flatMap((region) => [
        ...probe(
          ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
          [`arn:aws:s3:::${p}-index-probe/acme/main/files/demo/demo-1.0-py3-none-any.whl`],
          { "aws:RequestedRegion": region },
        ),
        ...probe(
          [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Scan",
          ],
          // The home table (us-east-1); only replicas being seeded get item access.
          [`arn:aws:dynamodb:${CLOUDFRONT_REGION}:${accountOf(role)}:table/${p}-credentials`],
          { "aws:RequestedRegion": CLOUDFRONT_REGION },
        ),
      ]);
      return decide(role, requests, "satisfied")
        .filter(({ decision }) => decision === "allowed")
        .map(({ request }) => `allows ${describeProbe(request)}.`);
    },
  },
];

/** Every finding of every rule for one role. */
export function checkRole(role: RoleUnderReview, rules: readonly Rule[] = IAM_RULES): Finding[] {
  return rules.flatMap((rule) =>
    rule.check(role).map((message) => ({ rule: rule.id, role: role.name, message })),
  );
}
