/**
 * A small IAM policy evaluator: does a set of identity policies allow one action on one resource,
 * given the request's condition keys? It knows Action/NotAction, Resource/NotResource with IAM
 * wildcards, explicit Deny, and the condition operators our policies use (String*, Arn*, Bool,
 * with ForAllValues:/ForAnyValue:, and Null). What it does not know it reports through `onUnknownOperator`,
 * so a caller chooses to err towards "allowed" (trust probes) or to stop (coverage proofs).
 */
import { PolicyDocument, PolicyStatement, asList, iamGlobMatches } from "../components/policies/document";

/** Condition-key values of a request; multi-valued keys (e.g. Route 53 record names) as lists. */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

export type Decision = "allowed" | "explicitDeny" | "implicitDeny";

/** What an operator the evaluator does not know counts as. */
export type UnknownOperator = "satisfied" | "throw";

type Matcher = (pattern: string, value: string) => boolean;

const MATCHERS: Record<string, { matches: Matcher; negated: boolean }> = {
  StringEquals: { matches: (p, v) => p === v, negated: false },
  StringNotEquals: { matches: (p, v) => p === v, negated: true },
  StringEqualsIgnoreCase: { matches: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  StringLike: { matches: iamGlobMatches, negated: false },
  StringNotLike: { matches: iamGlobMatches, negated: true },
  ArnEquals: { matches: (p, v) => p === v, negated: false },
  ArnLike: { matches: iamGlobMatches, negated: false },
  ArnNotEquals: { matches: (p, v) => p === v, negated: true },
  ArnNotLike: { matches: iamGlobMatches, negated: true },
  Bool: { matches: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

/** The request's value(s) for a condition key; IAM compares key names case-insensitively. */
function contextValues(context: RequestContext, key: string): readonly string[] | undefined {
  const found = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : asList(context[found]);
}

function operatorHolds(
  operator: string,
  keys: Readonly<Record<string, string | readonly string[]>>,
  context: RequestContext,
  onUnknown: UnknownOperator,
): boolean {
  if (operator === "Null") {
    // "true": the key is absent from the request; "false": it is present.
    return Object.entries(keys).every(
      ([key, expected]) =>
        (contextValues(context, key) === undefined) === (String(expected).toLowerCase() === "true"),
    );
  }
  const [qualifier, base] = operator.includes(":") ? operator.split(":", 2) : [undefined, operator];
  const semantics = MATCHERS[base];
  if (
    !semantics ||
    (qualifier !== undefined && qualifier !== "ForAllValues" && qualifier !== "ForAnyValue")
  ) {
    if (onUnknown === "satisfied") return true;
    throw new Error(
      `policy evaluation: condition operator ${operator} is not supported; teach rules/policyEvaluation.ts.`,
    );
  }
  return Object.entries(keys).every(([key, rawPatterns]) => {
    const patterns = asList(rawPatterns);
    const values = contextValues(context, key);
    const matchesAny = (value: string) => patterns.some((pattern) => semantics.matches(pattern, value));
    if (qualifier === "ForAllValues") {
      // Vacuously true for an absent key; every value must match (negated: no value matches).
      return (values ?? []).every((value) => (semantics.negated ? !matchesAny(value) : matchesAny(value)));
    }
    if (qualifier === "ForAnyValue") {
      return (values ?? []).some((value) => (semantics.negated ? !matchesAny(value) : matchesAny(value)));
    }
    // A key absent from the request fails a positive operator and satisfies a negated one.
    const anyMatch = values !== undefined && values.some(matchesAny);
    return semantics.negated ? !anyMatch : anyMatch;
  });
}

/** True when every condition block of the statement holds for the request's context. */
export function conditionsHold(
  statement: PolicyStatement,
  context: RequestContext,
  onUnknown: UnknownOperator,
): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    operatorHolds(operator, keys, context, onUnknown),
  );
}

const matchesAny = (patterns: readonly string[], value: string, ignoreCase: boolean) =>
  patterns.some((pattern) =>
    ignoreCase ? iamGlobMatches(pattern.toLowerCase(), value.toLowerCase()) : iamGlobMatches(pattern, value),
  );

/** The statement names the request's action and resource (conditions aside). */
export function statementCovers(statement: PolicyStatement, request: AccessRequest): boolean {
  const action =
    statement.NotAction !== undefined
      ? !matchesAny(asList(statement.NotAction), request.action, true)
      : matchesAny(asList(statement.Action), request.action, true);
  const resource =
    statement.NotResource !== undefined
      ? !matchesAny(asList(statement.NotResource), request.resource, false)
      : matchesAny(asList(statement.Resource), request.resource, false);
  return action && resource;
}

/** IAM's decision for identity policies: an explicit Deny wins, then any Allow, else implicit deny. */
export function evaluate(
  documents: readonly PolicyDocument[],
  request: AccessRequest,
  onUnknown: UnknownOperator = "throw",
): Decision {
  const applicable = documents
    .flatMap((document) => document.Statement)
    .filter(
      (statement) =>
        statementCovers(statement, request) && conditionsHold(statement, request.context ?? {}, onUnknown),
    );
  if (applicable.some((statement) => statement.Effect === "Deny")) return "explicitDeny";
  return applicable.some((statement) => statement.Effect === "Allow") ? "allowed" : "implicitDeny";
}
