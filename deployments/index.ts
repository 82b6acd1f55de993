/**
 * The delivery program: Pulumi Deployments settings of the dev, staging and prod stacks, and the
 * GitHub → Pulumi Cloud token exchange the workflows use. A separate project, so that changing how a
 * stack is deployed never rides along with a deploy of that stack. Run it from this directory
 * (`pulumi up -s delivery`) after `npm ci` at the repository root.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadDeliveryConfig } from "./config";
import { GithubTokenExchange } from "./githubTokenExchange";
import { StackDeployment } from "./stackDeployment";
import { DEPLOY_STACKS } from "./tagRoutes";

const config = loadDeliveryConfig();

const deployments = DEPLOY_STACKS.map((stack) => {
  // The deployer role is an output of the stack itself (engineer E's roles), not a copied ARN.
  const infra = new pulumi.StackReference(`${config.pulumiOrganization}/${config.infraProject}/${stack}`);
  return new StackDeployment(`ppi-${stack}`, {
    organization: config.pulumiOrganization,
    project: config.infraProject,
    stack,
    repository: config.infraRepository,
    deployerRoleArn: infra.requireOutput("deployerRoleArn") as pulumi.Output<string>,
    executorImage: config.executorImage,
    sessionSeconds: config.deployerSessionSeconds,
    previewPullRequests: config.previewPullRequests,
  });
});

const exchange = config.githubTokenExchange
  ? new GithubTokenExchange("ppi-github", {
      organization: config.pulumiOrganization,
      project: config.infraProject,
      repository: config.infraRepository,
      stacks: DEPLOY_STACKS,
    })
  : undefined;

export const deploymentSettingsIds = deployments.map((d) => d.settingsId);
export const githubIssuerId = exchange?.issuerId;
export const githubSubjectTeams = exchange?.subjectTeams;
