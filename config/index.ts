/**
 * The one place the program reads stack configuration. Each section module is a pure
 * validator over a ConfigReader; this module binds them to `pulumi.Config` and throws one
 * error naming every invalid key before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { CoreConfig, readCoreConfig } from "./core";
import { EdgeIndexConfig, readEdgeIndexConfig } from "./edgeIndex";
import { ConfigReader, ConfigSource } from "./reader";

export interface StackConfig {
  readonly core: CoreConfig;
  readonly edgeIndex: EdgeIndexConfig;
}

/** Validates raw values into a StackConfig; exported for the rule-by-rule config tests. */
export function parseStackConfig(source: ConfigSource): { config: StackConfig; reader: ConfigReader } {
  const reader = new ConfigReader(source);
  const config: StackConfig = {
    core: readCoreConfig(reader),
    edgeIndex: readEdgeIndexConfig(reader),
  };
  reader.finish();
  return { config, reader };
}

export function loadStackConfig(): StackConfig {
  const pulumiConfig = new pulumi.Config();
  return parseStackConfig((key) => pulumiConfig.get(key)).config;
}
