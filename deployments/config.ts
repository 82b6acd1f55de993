/**
 * Configuration of the delivery program (`deployments/`): pure validation over a ConfigSource, and
 * the one place this program reads `pulumi.Config`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, ConfigSource } from "../config/reader";

export const DELIVERY_PROJECT = "python-package-index-deployments";

export interface DeliveryConfig {
  /** Pulumi Cloud organization owning the infrastructure stacks. */
  readonly pulumiOrganization: string;
  /** Pulumi project of the infrastructure stacks. */
  readonly infraProject: string;
  /** GitHub repository (`org/repo`) holding the infrastructure program. */
  readonly infraRepository: string;
  /** Deployment executor image; pinned so a deploy never changes tools silently. */
  readonly executorImage: string;
  /** Seconds the deployer role session lasts (the role allows at most one hour). */
  readonly deployerSessionSeconds: number;
  /** Let Pulumi Deployments preview pull requests itself (off: preview.yml does it read-only). */
  readonly previewPullRequests: boolean;
  /** Register GitHub Actions as an OIDC issuer of the org, so workflows get short-lived tokens. */
  readonly githubTokenExchange: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;
const IMAGE_WITH_TAG = /^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/;

/** Validates raw values; also returns the reader, whose `keysRead` the Pulumi.yaml test compares. */
export function parseDeliveryConfig(source: ConfigSource): { config: DeliveryConfig; reader: ConfigReader } {
  const reader = new ConfigReader(source, DELIVERY_PROJECT);
  const config: DeliveryConfig = {
    pulumiOrganization: reader.requireString("pulumiOrganization", {
      pattern: NAME,
      allowed: "the Pulumi Cloud organization name, e.g. acme",
    }),
    infraProject: reader.string("infraProject", "python-package-index", {
      pattern: NAME,
      allowed: "a project name",
    }),
    infraRepository: reader.requireString("infraRepository", {
      pattern: REPOSITORY,
      allowed: "a GitHub repository as org/repo, e.g. acme/python-package-index",
    }),
    executorImage: reader.requireString("executorImage", {
      pattern: IMAGE_WITH_TAG,
      allowed: "an image with an explicit tag, e.g. pulumi/pulumi-nodejs-22:3.270.0 (Node 22 is required)",
    }),
    deployerSessionSeconds: reader.integer("deployerSessionSeconds", 3600, { min: 900, max: 3600 }),
    previewPullRequests: reader.boolean("previewPullRequests", false),
    githubTokenExchange: reader.boolean("githubTokenExchange", true),
  };
  reader.finish();
  return { config, reader };
}

export function loadDeliveryConfig(): DeliveryConfig {
  const config = new pulumi.Config();
  return parseDeliveryConfig((key) => config.get(key)).config;
}
