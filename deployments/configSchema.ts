/**
 * Every configuration key of the delivery program (`deployments/`), once: the reader takes its
 * defaults and validation from here, `npm run generate:config` writes deployments/Pulumi.yaml's
 * `config:` block and docs/deployments-configuration-table.md from it.
 */
import { ConfigKey } from "../config/keys";
import { DEPLOY_STACKS } from "../domain/delivery";
import { GITHUB_REPOSITORY_PATTERN } from "../domain/github";
import { CI_SESSION_SECONDS } from "../domain/oidc";
import { PROJECT_NAME } from "../domain/project";

export const DELIVERY_PROJECT = "python-package-index-deployments";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const STACK_PREFIX = `(${DEPLOY_STACKS.join("|")}):`;
/** `<stack>:branch:<glob>` / `<stack>:tag:<glob>`, GitHub fnmatch (`*` stops at `/`), one literal at least. */
export const ENVIRONMENT_REF = new RegExp(
  `^${STACK_PREFIX}(branch|tag):([A-Za-z0-9._\\-/@+*?[\\]]*[A-Za-z0-9._\\-/@+][A-Za-z0-9._\\-/@+*?[\\]]*)$`,
);
export const REVIEWER = new RegExp(`^${STACK_PREFIX}(user|team):([1-9]\\d{0,11})$`);

export const DELIVERY_CONFIG = {
  pulumiOrganization: {
    section: "delivery",
    type: "string",
    required: true,
    pattern: NAME,
    allowed: "the Pulumi Cloud organization name, e.g. acme",
    description: "Pulumi Cloud organization owning the infrastructure stacks.",
  },
  infraProject: {
    section: "delivery",
    type: "string",
    default: PROJECT_NAME,
    pattern: NAME,
    allowed: "a project name",
    description: "Pulumi project of the infrastructure stacks.",
  },
  infraRepository: {
    section: "delivery",
    type: "string",
    required: true,
    pattern: GITHUB_REPOSITORY_PATTERN,
    allowed: "a GitHub repository as org/repo, e.g. acme/python-package-index",
    description: "GitHub repository (org/repo) holding the infrastructure program.",
  },
  executorImage: {
    section: "delivery",
    type: "string",
    required: true,
    pattern: /^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/,
    allowed: "an image with an explicit tag, e.g. pulumi/pulumi-nodejs-22:3.270.0 (Node 22 is required)",
    description: "Deployment executor image with an explicit tag; it must bring Node.js 22.",
  },
  deployerSessionSeconds: {
    section: "delivery",
    type: "integer",
    default: CI_SESSION_SECONDS.max,
    min: CI_SESSION_SECONDS.min,
    max: CI_SESSION_SECONDS.max,
    description: "Seconds a deployment's deployer-role session lasts.",
  },
  previewPullRequests: {
    section: "delivery",
    type: "boolean",
    default: false,
    description:
      "Let Pulumi Deployments preview pull requests with the deployer role (preview.yml does it read-only).",
  },
  githubTokenExchange: {
    section: "delivery",
    type: "boolean",
    default: true,
    description:
      "Register GitHub Actions as an OIDC issuer of the org and the teams whose short-lived tokens the workflows get (team tokens need the Enterprise or Business Critical edition).",
  },
  githubRepositorySettings: {
    section: "GitHub repository settings",
    type: "boolean",
    default: false,
    description:
      "Manage each stack's GitHub variables and environments from its outputs (needs github:owner and the secret github:token).",
  },
  publisherEnvironmentRefs: {
    section: "GitHub repository settings",
    type: "array",
    pattern: ENVIRONMENT_REF,
    allowed: `<stack>:branch:<glob> or <stack>:tag:<glob> with <stack> one of ${DEPLOY_STACKS.join(", ")} (GitHub fnmatch: * ? [0-9], at least one literal character; environments cannot exclude refs)`,
    description:
      "Refs allowed in the package repositories' environment <stack>; none for a stack lets any ref use it.",
  },
  requiredReviewers: {
    section: "GitHub repository settings",
    type: "array",
    pattern: REVIEWER,
    allowed: "<stack>:user:<numeric id> or <stack>:team:<numeric id> (gh api orgs/ORG/teams/SLUG --jq .id)",
    description:
      "Numeric GitHub ids of the users and teams who must approve deployments in the infrastructure repository's environment <stack>.",
  },
} as const satisfies Record<string, ConfigKey>;
