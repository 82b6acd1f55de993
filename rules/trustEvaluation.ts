/**
 * Answers "could a web-identity token with these claims assume this role?" for the condition
 * operators our trust policies use, so rules can probe a trust policy with hostile claims
 * (a pull request, a staging tag) instead of pattern-matching its text. Operators it does not
 * understand count as satisfied: the answer errs towards "yes, it could", never the other way.
 */
import { PolicyDocument, PolicyStatement, asList, iamGlobMatches } from "../components/policies/document";

/** Claim values keyed by IAM condition key, e.g. `token.actions.githubusercontent.com:sub`. */
export type Claims = Readonly<Record<string, string>>;

const OPERATORS: Record<string, { matches: (pattern: string, value: string) => boolean; negated: boolean }> =
  {
    StringEquals: { matches: (p, v) => p === v, negated: false },
    StringLike: { matches: iamGlobMatches, negated: false },
    StringNotEquals: { matches: (p, v) => p === v, negated: true },
    StringNotLike: { matches: iamGlobMatches, negated: true },
  };

function conditionHolds(statement: PolicyStatement, claims: Claims): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) => {
    const semantics = OPERATORS[operator];
    if (!semantics) return true;
    return Object.entries(keys).every(([key, patterns]) => {
      const value = claims[key];
      // A key absent from the request fails a positive operator and satisfies a negated one.
      const anyMatch =
        value !== undefined && asList(patterns).some((pattern) => semantics.matches(pattern, value));
      return semantics.negated ? !anyMatch : anyMatch;
    });
  });
}

function isWebIdentityAssume(statement: PolicyStatement): boolean {
  return asList(statement.Action).some((action) =>
    iamGlobMatches(action.toLowerCase(), "sts:assumerolewithwebidentity"),
  );
}

/** The federated principal ARNs a statement names. */
export function federatedPrincipals(statement: PolicyStatement): readonly string[] {
  if (statement.Principal === "*" || statement.Principal === undefined) return [];
  return asList(statement.Principal.Federated);
}

/** True when a token from `providerArn` with `claims` may assume the role (explicit deny wins). */
export function canAssume(trust: PolicyDocument, providerArn: string, claims: Claims): boolean {
  const applies = (statement: PolicyStatement) =>
    isWebIdentityAssume(statement) &&
    (statement.Principal === "*" || federatedPrincipals(statement).includes(providerArn)) &&
    conditionHolds(statement, claims);
  const statements = trust.Statement.filter(applies);
  return statements.some((s) => s.Effect === "Allow") && !statements.some((s) => s.Effect === "Deny");
}
