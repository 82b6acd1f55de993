/**
 * The one place the program reads stack configuration. Each section module is a pure
 * validator over a ConfigReader; this module binds them to `pulumi.Config` and throws one
 * error naming every invalid key before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { CodeArtifactConfig, readCodeArtifactConfig } from "./codeArtifact";
import { CoreConfig, readCoreConfig } from "./core";
import { EdgeIndexConfig, readEdgeIndexConfig } from "./edgeIndex";
import { GithubConfig, readGithubConfig } from "./github";
import { ConfigSource } from "./reader";
import { StackConfigReader, stackConfigReader } from "./schema";

export interface StackConfig {
  readonly core: CoreConfig;
  readonly edgeIndex: EdgeIndexConfig;
  /** Undefined when the stack does not enable CodeArtifact. */
  readonly codeArtifact?: CodeArtifactConfig;
  /** Undefined when the stack does not enable GitHub OIDC and the CI roles. */
  readonly github?: GithubConfig;
}

/**
 * Validates raw values of `stack` (its name is part of what CI roles may trust) into a StackConfig;
 * exported for the rule-by-rule config tests.
 */
export function parseStackConfig(
  source: ConfigSource,
  stack: string,
): { config: StackConfig; reader: StackConfigReader } {
  const reader = stackConfigReader(source);
  const core = readCoreConfig(reader);
  const config: StackConfig = {
    core,
    edgeIndex: readEdgeIndexConfig(reader),
    codeArtifact: readCodeArtifactConfig(reader, core.region),
    github: readGithubConfig(reader, stack),
  };
  reader.finish();
  return { config, reader };
}

export function loadStackConfig(): StackConfig {
  const pulumiConfig = new pulumi.Config();
  return parseStackConfig((key) => pulumiConfig.get(key), pulumi.getStack()).config;
}
