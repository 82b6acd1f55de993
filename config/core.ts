import { AWS_REGION_PATTERN } from "../edge/regions";
import { ConfigReader } from "./reader";

// Defined in edge/ (the edge bundle validates regions too and must not import config/).
export { AWS_REGION_PATTERN };

/**
 * Regions of the commercial partition only: the IAM policy builders spell `arn:aws:`, which is wrong
 * in GovCloud (`us-gov-*`, `arn:aws-us-gov:`) and China (`cn-*`, `arn:aws-cn:`).
 */
export const COMMERCIAL_REGION_PATTERN = /^(?!cn-)[a-z]{2}-[a-z]+-\d$/;

export interface CoreConfig {
  /** Region of the bucket and every regional resource (edge resources are always us-east-1). */
  readonly region: string;
  /** Stateful resources refuse deletion (Pulumi `protect`, DynamoDB deletion protection). */
  readonly protect: boolean;
}

export function readCoreConfig(reader: ConfigReader): CoreConfig {
  return {
    region: reader.requireString("region", {
      pattern: COMMERCIAL_REGION_PATTERN,
      allowed:
        "an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported)",
    }),
    protect: reader.boolean("protect", false),
  };
}
