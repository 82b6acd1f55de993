/**
 * The delivery program: Pulumi Deployments settings of the dev, staging and prod stacks, the
 * GitHub → Pulumi Cloud token exchange the workflows use, and each stack's GitHub variables and
 * environments (with the admin-scoped GitHub token, which therefore never sits in a stack that a
 * pull-request preview can read). A separate project, so that changing how a stack is deployed
 * never rides along with a deploy of that stack. Run it from this directory
 * (`pulumi up -s delivery`) after `npm ci` at the repository root.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadDeliveryConfig } from "./config";
import { GithubTokenExchange } from "./githubTokenExchange";
import { stackRepositorySettings } from "./repositorySettings";
import { StackDeployment } from "./stackDeployment";
import { DEPLOY_STACKS } from "../domain/delivery";

export = async () => {
  const config = loadDeliveryConfig();

  const references = DEPLOY_STACKS.map(
    (stack) =>
      [
        stack,
        new pulumi.StackReference(`${config.pulumiOrganization}/${config.infraProject}/${stack}`),
      ] as const,
  );
  const deployments = references.map(
    ([stack, infra]) =>
      new StackDeployment(`ppi-${stack}`, {
        organization: config.pulumiOrganization,
        project: config.infraProject,
        stack,
        repository: config.infraRepository,
        // The deployer role is an output of the stack itself, not a copied ARN.
        deployerRoleArn: infra.requireOutput("deployerRoleArn") as pulumi.Output<string>,
        executorImage: config.executorImage,
        sessionSeconds: config.deployerSessionSeconds,
        previewPullRequests: config.previewPullRequests,
      }),
  );

  const exchange = config.githubTokenExchange
    ? new GithubTokenExchange("ppi-github", {
        organization: config.pulumiOrganization,
        project: config.infraProject,
        repository: config.infraRepository,
        stacks: DEPLOY_STACKS,
      })
    : undefined;

  if (config.githubRepositorySettings) {
    await Promise.all(references.map(([stack, infra]) => stackRepositorySettings(stack, infra, config)));
  }

  return {
    deploymentSettingsIds: deployments.map((d) => d.settingsId),
    githubIssuerId: exchange?.issuerId,
    githubSubjectTeams: exchange?.subjectTeams,
  };
};
