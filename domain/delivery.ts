/**
 * The delivery contract: the stacks, which git ref deploys which stack, and the Pulumi Deployments
 * operations. The single definition shared by the deploy workflow (its route step runs
 * `scripts/deployRoute.ts`), the Pulumi Deployments tag filters
 * (`scripts/applyDeploymentTagFilters.ts`), the deployments program, the CI roles' trust and the
 * delivery tests; `deployments/tagRoutes.ts` evaluates the filters.
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

/** What a Pulumi Deployment of a stack may run (the deployer role trusts each); `destroy` stays a manual, admin-run step. */
export const DEPLOYMENT_OPERATIONS = ["preview", "update", "refresh"] as const;
export type DeploymentOperation = (typeof DEPLOYMENT_OPERATIONS)[number];
