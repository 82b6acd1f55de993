/**
 * Evaluates the tag routes of `domain/delivery.ts` with Pulumi Deployments' tag-filter rules (see
 * there), for the deploy workflow's route step and the delivery tests.
 */
import { minimatch } from "minimatch";
import { DEPLOY_STACKS, DEV_BRANCH, DeployStack, TAG_FILTERS } from "../domain/delivery";

/** True when `tag` qualifies under `filters` with Pulumi Deployments' semantics (see above). */
export function tagPassesFilters(filters: readonly string[], tag: string): boolean {
  const includes = filters.filter((f) => !f.startsWith("!"));
  const excludes = filters.filter((f) => f.startsWith("!")).map((f) => f.slice(1));
  const matches = (glob: string): boolean => minimatch(tag, glob, { nonegate: true, nocomment: true });
  return (includes.length === 0 || includes.some(matches)) && !excludes.some(matches);
}

/** Stacks whose tag filters admit `tag`; dev never deploys from tags. */
export function stacksForTag(tag: string): DeployStack[] {
  return DEPLOY_STACKS.filter(
    (stack) => TAG_FILTERS[stack].length > 0 && tagPassesFilters(TAG_FILTERS[stack], tag),
  );
}

/**
 * The stack a pushed git ref deploys (`refs/heads/main` → dev, a release tag → its stack), or
 * undefined when the ref deploys nothing. Throws when a tag matches more than one stack: the filters
 * above must never overlap, and a deploy must not guess.
 */
export function stackForRef(ref: string): DeployStack | undefined {
  if (ref === `refs/heads/${DEV_BRANCH}`) return "dev";
  if (!ref.startsWith("refs/tags/")) return undefined;
  const tag = ref.slice("refs/tags/".length);
  const stacks = stacksForTag(tag);
  if (stacks.length > 1) {
    throw new Error(
      `tag ${JSON.stringify(tag)} matches the filters of ${stacks.join(" and ")}; fix TAG_FILTERS`,
    );
  }
  return stacks[0];
}
