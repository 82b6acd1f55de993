/**
 * IAM policy documents as plain data. The builders in this folder return these, the components
 * serialize them, and the policy pack (`policy-pack/`) checks them, so what is checked is what is deployed.
 */

export type ConditionValues = Readonly<Record<string, string | readonly string[]>>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Readonly<Record<string, string | readonly string[]>> | "*";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  /** Operator (e.g. `StringEquals`) → condition key → value(s). */
  readonly Condition?: Readonly<Record<string, ConditionValues>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** A field that IAM accepts as one string or a list, always as a list. */
export function asList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/** IAM wildcard matching (`*` any run of characters, `?` one character), case-sensitive. */
export function iamGlobMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`, "s").test(value);
}

export function hasWildcard(value: string): boolean {
  return value.includes("*") || value.includes("?");
}
