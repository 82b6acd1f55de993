/**
 * Which git ref deploys which stack: the single definition shared by the deploy workflow (its route
 * step runs `scripts/deployRoute.ts`), the Pulumi Deployments tag filters
 * (`scripts/applyDeploymentTagFilters.ts`) and the delivery tests.
 *
 * Filters follow Pulumi Deployments' tag-filter rules: a glob must match the whole tag name, a
 * leading `!` makes it an exclude, a tag qualifies when it matches at least one include (or there are
 * no includes) and no exclude — exclude always wins, order does not matter.
 *
 * Decisions: versions must start with a digit (`v[0-9]*`), so `python-package-index@vnext` deploys
 * nothing; prod takes only plain release tags — any hyphenated suffix (`-staging`, `-rc.1`,
 * `-beta`) is excluded, so a release candidate never reaches prod by accident; staging takes every
 * version ending in `-staging`, including candidates such as `v1.3.0-rc.1-staging`.
 */
import { minimatch } from "minimatch";

export const DEPLOY_STACKS = ["dev", "staging", "prod"] as const;
export type DeployStack = (typeof DEPLOY_STACKS)[number];

/** The branch whose pushes deploy dev. */
export const DEV_BRANCH = "main";

/** Tag prefix of this project's releases; every tag route starts with it. */
export const RELEASE_TAG_PREFIX = "python-package-index@v";

/** Pulumi Deployments tag filters per stack; dev deploys from the branch and takes no tags. */
export const TAG_FILTERS: Readonly<Record<DeployStack, readonly string[]>> = {
  dev: [],
  staging: [`${RELEASE_TAG_PREFIX}[0-9]*-staging`],
  prod: [`${RELEASE_TAG_PREFIX}[0-9]*`, `!${RELEASE_TAG_PREFIX}*-*`],
};

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
