/**
 * Answers "could a web-identity token with these claims assume this role?" for the condition
 * operators our trust policies use, so rules can probe a trust policy with hostile claims
 * (a pull request, a staging tag) instead of pattern-matching its text. Operators it does not
 * understand count as satisfied: the answer errs towards "yes, it could", never the other way.
 */
import { PolicyDocument, PolicyStatement, asList, iamGlobMatches } from "../components/policies/document";
import { conditionsHold } from "./policyEvaluation";

/** Claim values keyed by IAM condition key, e.g. `token.actions.githubusercontent.com:sub`. */
export type Claims = Readonly<Record<string, string>>;

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
    conditionsHold(statement, claims, "satisfied");
  const statements = trust.Statement.filter(applies);
  return statements.some((s) => s.Effect === "Allow") && !statements.some((s) => s.Effect === "Deny");
}
