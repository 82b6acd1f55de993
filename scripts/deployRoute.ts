/**
 * The deploy workflow's route step: prints `stack=<dev|staging|prod>` (empty when the ref deploys
 * nothing) for `$GITHUB_OUTPUT`, using the same routes as the Pulumi Deployments tag filters.
 *
 *   npx ts-node --transpile-only scripts/deployRoute.ts "$GITHUB_REF" >> "$GITHUB_OUTPUT"
 */
import { stackForRef } from "../deployments/tagRoutes";

if (require.main === module) {
  const ref = process.argv[2] ?? "";
  try {
    if (!ref) throw new Error("usage: deployRoute.ts <git ref>, e.g. refs/tags/python-package-index@v1.2.0");
    const stack = stackForRef(ref) ?? "";
    console.error(stack ? `${ref} deploys ${stack}` : `${ref} deploys nothing`);
    console.log(`stack=${stack}`);
  } catch (error) {
    console.error(`deployRoute: ${(error as Error).message}`);
    process.exit(1);
  }
}
