/**
 * One infrastructure stack's GitHub settings, built from that stack's outputs. They live in this
 * admin-run program, not in the stack: their token is admin-scoped, and anyone who can push a
 * pull-request branch can read the infrastructure stacks' config through a preview.
 */
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentSpec, GithubRepositorySettings } from "../components/githubRepositorySettings";
import { DeliveryConfig } from "./config";
import { DEV_BRANCH, DeployStack, TAG_FILTERS } from "../domain/delivery";

/**
 * The infrastructure repository's environment `<stack>`: the Pulumi token exchange gives its jobs a
 * token that deploys the stack, so it admits exactly the refs `tagRoutes.ts` routes to the stack
 * (GitHub's ref rules cannot exclude: the includes of the tag filters, or dev's branch).
 */
export function deployEnvironment(stack: DeployStack, config: DeliveryConfig): EnvironmentSpec {
  const tagPatterns = TAG_FILTERS[stack].filter((filter) => !filter.startsWith("!"));
  const reviewers = config.requiredReviewers[stack];
  return {
    name: stack,
    ...(tagPatterns.length > 0 ? { tagPatterns } : { branchPatterns: [DEV_BRANCH] }),
    ...(reviewers.users.length + reviewers.teams.length > 0 ? { reviewers } : {}),
  };
}

/**
 * Declares `stack`'s repository settings from `infra`, the stack's reference. Async: which
 * repositories get an environment, and whether CodeArtifact variables exist, are read from the
 * stack's outputs before any resource is declared (StackReference outputs are known in previews).
 */
export async function stackRepositorySettings(
  stack: DeployStack,
  infra: pulumi.StackReference,
  config: DeliveryConfig,
): Promise<GithubRepositorySettings> {
  const packageRepositories = ((await infra.getOutputValue("packageRepositories")) ?? []) as string[];
  const hasCodeArtifact = (await infra.getOutputValue("codeArtifactDomain")) !== undefined;
  const output = (name: string) => infra.requireOutput(name) as pulumi.Output<string>;
  return new GithubRepositorySettings(`ppi-${stack}-github`, {
    stack,
    infraRepository: config.infraRepository,
    previewerRoleArn: output("previewerRoleArn"),
    deployEnvironment: deployEnvironment(stack, config),
    packageRepositories,
    ...(packageRepositories.length > 0
      ? {
          packageEnvironment: { name: stack, ...config.publisherEnvironmentRefs[stack] },
          packageVariables: {
            AWS_REGION: output("region"),
            AWS_ROLE_ARN: output("publisherRoleArn"),
            PACKAGE_INDEX_BUCKET: output("bucketName"),
            PACKAGE_INDEX_URL: output("indexUrl"),
            ...(hasCodeArtifact
              ? {
                  CODEARTIFACT_DOMAIN: output("codeArtifactDomain"),
                  CODEARTIFACT_DOMAIN_OWNER: output("codeArtifactDomainOwner"),
                  CODEARTIFACT_REPOSITORY: output("codeArtifactRepository"),
                }
              : {}),
          },
        }
      : {}),
  });
}
