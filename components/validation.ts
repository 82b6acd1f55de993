/** Argument checks shared by the components: each throws an error naming the component and field. */

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
