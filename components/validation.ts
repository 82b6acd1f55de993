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
