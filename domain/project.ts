/**
 * The Pulumi project of the index program (`name` in Pulumi.yaml): the namespace of its stack
 * configuration (`pulumi config set python-package-index:<key>`) and the project its stacks belong
 * to in Pulumi Cloud.
 */
export const PROJECT_NAME = "python-package-index";

/** A config key of the index program as `pulumi config` spells it, e.g. `python-package-index:region`. */
export function configKey(key: string): string {
  return `${PROJECT_NAME}:${key}`;
}
