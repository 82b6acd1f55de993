import { ConfigReader } from "./reader";

/** AWS commercial and GovCloud region names, e.g. `eu-west-1`, `us-gov-west-1`. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export interface CoreConfig {
  /** Region of the bucket and every regional resource (edge resources are always us-east-1). */
  readonly region: string;
  /** Stateful resources refuse deletion (Pulumi `protect`, DynamoDB deletion protection). */
  readonly protect: boolean;
}

export function readCoreConfig(reader: ConfigReader): CoreConfig {
  return {
    region: reader.requireString("region", {
      pattern: AWS_REGION_PATTERN,
      allowed: "an AWS region name such as eu-west-1",
    }),
    protect: reader.boolean("protect", false),
  };
}
