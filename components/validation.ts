import * as pulumi from "@pulumi/pulumi";

/** Argument checks shared by the components: each throws an error naming the component and field. */
import { CI_SESSION_SECONDS } from "../domain/oidc";

export function checkWholeNumber(
  context: string,
  field: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${context}: ${field} is ${value}; expected a whole number from ${min} to ${max}.`);
  }
}

/**
 * Stack names: no dashes, so one stack's `ppi-<stack>-*` scope never covers another stack's names
 * (`ppi-dev-*` would match every name of a stack `dev-eu`). At most 24 characters keeps `ppi-<stack>`
 * within `checkNamePrefix`'s 28, whose tightest use is the bucket prefix `<namePrefix>-index-` (S3
 * bucket prefixes take at most 37 characters).
 */
const STACK_NAME_PATTERN = /^[a-z0-9]{1,24}$/;

export function checkStackName(stack: string): void {
  if (!STACK_NAME_PATTERN.test(stack)) {
    throw new Error(
      `Stack ${JSON.stringify(stack)}: stack names must be 1-24 lowercase letters or digits, without dashes ` +
        `(physical names are ppi-<stack>-..., and a stack "dev" scoped to ppi-dev-* would also reach a ` +
        `stack "dev-eu"); rename the stack, e.g. "deveu".`,
    );
  }
}

/** `ppi-<stack>`-style prefixes: lowercase letters, digits and dashes, short enough for S3 prefixes. */
const NAME_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,26}[a-z0-9])?$/;

export function checkNamePrefix(context: string, namePrefix: string): void {
  if (!NAME_PREFIX_PATTERN.test(namePrefix)) {
    throw new Error(
      `${context}: namePrefix ${JSON.stringify(namePrefix)} must be 1-28 lowercase letters, digits or dashes, ` +
        `starting and ending with a letter or digit (e.g. "ppi-dev").`,
    );
  }
}

export function checkCiSessionSeconds(context: string, field: string, seconds: number): void {
  checkWholeNumber(context, field, seconds, CI_SESSION_SECONDS.min, CI_SESSION_SECONDS.max);
}

/** Throws if `value` is not plain data (strings, numbers, booleans, null, arrays, plain objects). */
export function checkPlainData(context: string, field: string, value: unknown, path = field): void {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkPlainData(context, field, item, `${path}[${i}]`));
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      checkPlainData(context, field, item, `${path}.${key}`);
    return;
  }
  throw new Error(
    `${context}: ${path} is ${describeValue(value)}; ${field} must be plain data (strings, numbers, booleans, ` +
      `lists, plain objects): the function captures it at deploy time, and an Output, Promise, resource or ` +
      `function cannot be captured.`,
  );
}

function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (pulumi.Output.isInstance(value)) return "an Output";
  if (value instanceof Promise) return "a Promise";
  if (pulumi.Resource.isInstance(value)) return "a resource";
  return `a ${Object.getPrototypeOf(value)?.constructor?.name ?? "non-plain"} object`;
}

/** Throws if a pass-through args object names a field outside what the component lets through. */
export function checkPassThrough(
  context: string,
  field: string,
  value: object | undefined,
  allowed: readonly string[],
): void {
  const extra = Object.keys(value ?? {}).filter((key) => !allowed.includes(key));
  if (extra.length > 0) {
    throw new Error(
      `${context}: ${field} may set only ${allowed.join(", ")}; ${extra.join(", ")} ` +
        `${extra.length === 1 ? "is" : "are"} the component's own (security-relevant or derived from other args).`,
    );
  }
}
