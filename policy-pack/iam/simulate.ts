/**
 * IAM decisions computed by `@cloud-copilot/iam-simulate` on AWS's authorization data. A request
 * carries only the context keys AWS sets for it: a key the simulator would ignore for that action
 * is an error in the request, never silently dropped.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument, PolicyStatement, asList } from "../../components/policies/document";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Condition-key values of a request; multi-valued keys (`aws:TagKeys`) as lists. */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

export interface AccessRequest {
  readonly action: string;
  /** The resource ARN, or `"*"` for an action that authorizes against no resource type. */
  readonly resource: string;
  readonly context: RequestContext;
}

export interface Principal {
  /** The calling role's ARN. */
  readonly arn: string;
  /** Its identity policies (managed and inline), as IAM evaluates them together. */
  readonly policies: readonly PolicyDocument[];
  /** Its permissions boundary, if it has one. */
  readonly boundary?: PolicyDocument;
}

const accountOf = (arn: string) => /^arn:aws[a-z-]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];

/** IAM's decision for `principal` making `request` (and the resource's own policy, if any). */
export async function decide(
  principal: Principal,
  request: AccessRequest,
  resourcePolicy?: PolicyDocument,
): Promise<Decision> {
  const account = accountOf(principal.arn);
  if (!account) throw new Error(`decide: ${principal.arn} is not an ARN with an account id.`);
  const response = await runSimulation(
    {
      request: {
        principal: principal.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: accountOf(request.resource) ?? account },
        contextVariables: request.context as Record<string, string | string[]>,
      },
      identityPolicies: principal.policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
      permissionBoundaryPolicies: principal.boundary
        ? [{ name: "boundary", policy: principal.boundary }]
        : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  const describe = `${request.action} on ${request.resource} with ${JSON.stringify(request.context)}`;
  if (response.resultType === "error") {
    throw new Error(`iam-simulate refused ${describe}: ${JSON.stringify(response.errors)}`);
  }
  if (response.resultType !== "single")
    throw new Error(`iam-simulate: ${describe} matched several resources.`);
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new Error(
      `${describe}: AWS does not set ${ignored.join(", ")} for this action; the request context is wrong.`,
    );
  }
  return response.overallResult as Decision;
}

/**
 * The claims IAM reads from a web-identity token of an OIDC provider, as condition keys
 * `<provider>:<claim>`: `aud`, `sub`, `amr`, `azp`, `email`, `oaud` (IAM User Guide, "Available keys
 * for AWS OIDC federation"). The Service Authorization Reference lists them only for a few named
 * providers, so iam-simulate would drop them for ours.
 */
export const OIDC_CLAIMS = ["aud", "sub", "amr", "azp", "email", "oaud"] as const;

/** `token.actions.githubusercontent.com` for `arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com`. */
export function oidcProviderPath(providerArn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(providerArn)?.[1];
}

/** `<provider>:<claim>` keys of OIDC federation, e.g. `api.pulumi.com/oidc:sub`. */
export function isOidcClaimKey(key: string, providerPath: string): boolean {
  const lower = key.toLowerCase();
  return OIDC_CLAIMS.some((claim) => lower === `${providerPath.toLowerCase()}:${claim}`);
}

/**
 * OIDC claim keys carried into iam-simulate under `aws:PrincipalTag/<provider>:<claim>`, a string key
 * it evaluates with the same operators: the renaming is applied to the policy and the claims alike,
 * so the condition logic (operators, set qualifiers, IfExists, Deny precedence) stays iam-simulate's.
 */
const claimCarrier = (key: string) => `aws:PrincipalTag/${key.toLowerCase()}`;

function carryClaims(statement: PolicyStatement, providerPath: string): PolicyStatement {
  if (!statement.Condition) return statement;
  const condition = Object.fromEntries(
    Object.entries(statement.Condition).map(([operator, keys]) => [
      operator,
      Object.fromEntries(
        Object.entries(keys).map(([key, value]) => [
          isOidcClaimKey(key, providerPath) ? claimCarrier(key) : key,
          value,
        ]),
      ),
    ]),
  );
  return { ...statement, Condition: condition };
}

/**
 * Could a token from `providerArn` with these claims (`{ "<provider>:sub": ..., "<provider>:aud": ... }`)
 * assume the role whose trust policy is `trust`? Evaluated as the role's resource policy.
 */
export async function canAssumeWithWebIdentity(
  trust: PolicyDocument,
  roleArn: string,
  providerArn: string,
  claims: Readonly<Record<string, string>>,
): Promise<boolean> {
  const providerPath = oidcProviderPath(providerArn);
  if (!providerPath) throw new Error(`canAssumeWithWebIdentity: ${providerArn} is not an OIDC provider ARN.`);
  const strange = Object.keys(claims).filter((key) => !isOidcClaimKey(key, providerPath));
  if (strange.length > 0) {
    throw new Error(`canAssumeWithWebIdentity: ${strange.join(", ")} are not claims of ${providerPath}.`);
  }
  const carried = { ...trust, Statement: trust.Statement.map((s) => carryClaims(s, providerPath)) };
  const context = Object.fromEntries(
    Object.entries(claims).map(([key, value]) => [claimCarrier(key), value]),
  );
  const decision = await decide(
    { arn: providerArn, policies: [] },
    { action: "sts:AssumeRoleWithWebIdentity", resource: roleArn, context },
    carried,
  );
  return decision === "Allowed";
}

/** The federated principal ARNs a trust statement names. */
export function federatedPrincipals(statement: PolicyStatement): readonly string[] {
  if (statement.Principal === "*" || statement.Principal === undefined) return [];
  return asList(statement.Principal.Federated);
}
