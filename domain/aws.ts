/**
 * AWS region facts shared by the edge, the config and the CLI. Pure data: this module is
 * serialized into the edge bundle, so it imports nothing.
 */

/**
 * Region names of the commercial partition, e.g. `eu-west-1`. GovCloud (`us-gov-*`) and China
 * (`cn-*`) are refused: the IAM policy builders spell `arn:aws:`, which is wrong in those partitions.
 */
export const AWS_REGION_PATTERN = /^(?!cn-)[a-z]{2}-[a-z]+-\d$/;

/** The credentials table lives where Lambda@Edge functions are created; replicas serve the edge elsewhere. */
export const CREDENTIALS_TABLE_REGION = "us-east-1";
