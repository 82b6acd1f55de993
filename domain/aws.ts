/**
 * AWS identifiers shared by the edge, the config, the components and the CLI. Pure data: the edge
 * bundle serializes what it uses of this module, so it imports nothing.
 */

/**
 * Region names of the commercial partition, e.g. `eu-west-1`. GovCloud (`us-gov-*`) and China
 * (`cn-*`) are refused: the IAM policy builders spell `arn:aws:`, which is wrong in those partitions.
 */
export const AWS_REGION_PATTERN = /^(?!cn-)[a-z]{2}-[a-z]+-\d$/;

/** A DynamoDB table name: 3-255 of A-Z a-z 0-9 _ . - */
export const DYNAMODB_TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

/** A 12-digit AWS account id. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** An AWS Organizations id such as `o-a1b2c3d4e5`. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
