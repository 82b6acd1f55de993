/**
 * Checks of one policy document against the Service Authorization Reference: every action exists,
 * a wildcard-only action is granted (or denied) on `"*"`, every Resource can name a resource type
 * of its actions, and every condition key is one AWS sets for those actions. A statement that fails
 * them is dead (an Allow that never applies, a Deny that never protects) whatever it looks like.
 */
import { PolicyDocument, PolicyStatement, asList, hasWildcard } from "../../components/policies/document";
import {
  ActionReference,
  ResourceTypeReference,
  actionReference,
  expandActionPattern,
  resourceTypesNamedBy,
  supportsConditionKey,
} from "./authorizationData";
import { federatedPrincipals, isOidcClaimKey, oidcProviderPath } from "./simulate";

export type ReferenceCheckId =
  | "IAM_ACTION_EXISTS"
  | "IAM_WILDCARD_ONLY_ON_STAR"
  | "IAM_RESOURCE_MATCHES_ARN_FORMAT"
  | "IAM_CONDITION_KEY_SUPPORTED";

export const REFERENCE_CHECKS: Readonly<Record<ReferenceCheckId, string>> = {
  IAM_ACTION_EXISTS: "Every action (or action pattern) names at least one action of the reference.",
  IAM_WILDCARD_ONLY_ON_STAR:
    'An action without resource types (e.g. cloudfront:CreateDistribution) is granted or denied on "*".',
  IAM_RESOURCE_MATCHES_ARN_FORMAT:
    "Every Resource matches an ARN format of a resource type its actions authorize against.",
  IAM_CONDITION_KEY_SUPPORTED:
    "Every condition key is set by AWS for the statement's actions: a key of the action, of its resource types, or global.",
};

export interface ReferenceFinding {
  readonly check: ReferenceCheckId;
  readonly message: string;
}

/** identity: attached to a principal; resource: a bucket/key/repository policy; trust: a role's. */
export type PolicyKind = "identity" | "resource" | "trust";

interface ResolvedAction {
  readonly entry: string;
  readonly explicit: boolean;
  readonly references: readonly ActionReference[];
}

async function resolveActions(entries: readonly string[]): Promise<ResolvedAction[]> {
  return Promise.all(
    entries.map(async (entry) => {
      if (entry === "*") return { entry, explicit: false, references: [] };
      const explicit = !hasWildcard(entry);
      const names = explicit ? [entry] : await expandActionPattern(entry);
      const references = (await Promise.all(names.map(actionReference))).filter(
        (reference): reference is ActionReference => reference !== undefined,
      );
      return { entry, explicit, references };
    }),
  );
}

/** Resource types of `action` that one of `resources` can name (all of them for `"*"`). */
function namedTypes(action: ActionReference, resources: readonly string[]): ResourceTypeReference[] {
  return resources.includes("*")
    ? [...action.resourceTypes]
    : resources.flatMap((resource) => resourceTypesNamedBy(action, resource));
}

/** The statement can reach `action` through one of `resources`. */
function reachable(action: ActionReference, resources: readonly string[]): boolean {
  if (resources.includes("*")) return true;
  return !action.wildcardOnly && namedTypes(action, resources).length > 0;
}

function conditionKeys(statement: PolicyStatement): string[] {
  return [...new Set(Object.values(statement.Condition ?? {}).flatMap((keys) => Object.keys(keys)))];
}

function keySupported(
  key: string,
  action: ActionReference,
  resources: readonly string[] | undefined,
  oidcProviders: readonly string[],
): boolean {
  if (oidcProviders.some((provider) => isOidcClaimKey(key, provider))) return true;
  return supportsConditionKey(action, key, resources ? namedTypes(action, resources) : undefined);
}

async function checkStatement(
  statement: PolicyStatement,
  index: number,
  kind: PolicyKind,
): Promise<ReferenceFinding[]> {
  const label = statement.Sid ?? `statement ${index + 1}`;
  const findings: ReferenceFinding[] = [];
  const report = (check: ReferenceCheckId, message: string) =>
    findings.push({ check, message: `${label}: ${message}` });
  const negated = statement.NotAction !== undefined;
  const actions = await resolveActions(asList(negated ? statement.NotAction : statement.Action));
  for (const action of actions) {
    if (action.entry !== "*" && action.references.length === 0) {
      report("IAM_ACTION_EXISTS", `${action.entry} names no action of the Service Authorization Reference.`);
    }
  }
  // NotAction grants everything else: only the existence of what it names can be checked.
  if (negated) return findings;

  // A trust policy's resource is the role itself; NotResource reaches every other resource.
  const resources =
    kind === "trust" || statement.NotResource !== undefined ? undefined : asList(statement.Resource);
  const known = actions.filter((action) => action.references.length > 0);
  if (resources) {
    for (const action of known) {
      const usable = action.references.some((reference) => reachable(reference, resources));
      if (usable) continue;
      const [first] = action.references;
      if (action.explicit && first.wildcardOnly) {
        report(
          "IAM_WILDCARD_ONLY_ON_STAR",
          `${first.name} has no resource type; it applies only on "*", not ${resources.join(", ")}.`,
        );
      } else {
        report(
          "IAM_RESOURCE_MATCHES_ARN_FORMAT",
          `${action.entry} authorizes against ${[...new Set(action.references.flatMap((r) => r.resourceTypes.map((t) => t.arn)))].join(", ") || '"*" only'}; none of ${resources.join(", ")} matches.`,
        );
      }
    }
    // A resource no action can use (wildcard-only actions were reported above).
    const scoped = known.filter((action) => action.references.some((reference) => !reference.wildcardOnly));
    for (const resource of resources.filter((r) => r !== "*")) {
      const named = scoped.some((action) =>
        action.references.some((reference) => reachable(reference, [resource])),
      );
      if (!named && scoped.length > 0) {
        report(
          "IAM_RESOURCE_MATCHES_ARN_FORMAT",
          `${resource} names no resource type of ${actions.map((a) => a.entry).join(", ")}.`,
        );
      }
    }
  }

  const oidcProviders = federatedPrincipals(statement)
    .map(oidcProviderPath)
    .filter((path): path is string => path !== undefined);
  for (const key of conditionKeys(statement)) {
    for (const action of known) {
      const supported = action.explicit
        ? keySupported(key, action.references[0], resources, oidcProviders)
        : action.references.some((reference) => keySupported(key, reference, resources, oidcProviders));
      if (!supported) {
        report(
          "IAM_CONDITION_KEY_SUPPORTED",
          `AWS does not set ${key} for ${action.entry}${resources ? ` on ${resources.join(", ")}` : ""}.`,
        );
      }
    }
  }
  return findings;
}

/** Every reference finding of one document; empty when AWS would read it as written. */
export async function checkAgainstReference(
  document: PolicyDocument,
  kind: PolicyKind,
): Promise<ReferenceFinding[]> {
  const perStatement = await Promise.all(
    document.Statement.map((statement, index) => checkStatement(statement, index, kind)),
  );
  return perStatement.flat();
}
