/**
 * AWS region facts shared by the edge, the config and the CLI. Pure data: this module is
 * serialized into the edge bundle, so it imports nothing.
 */

/** AWS commercial and GovCloud region names, e.g. `eu-west-1`, `us-gov-west-1`. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** The credentials table lives where Lambda@Edge functions are created; replicas serve the edge elsewhere. */
export const CREDENTIALS_TABLE_REGION = "us-east-1";
