import { AWS_REGION_PATTERN } from "../domain/aws";
import { ConfigReader } from "./reader";

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
      allowed:
        "an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported)",
    }),
    protect: reader.boolean("protect", false),
  };
}
