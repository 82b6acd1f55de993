/**
 * Creates the sandbox's bucket and credentials table the way a stack would (names
 * `ppi-sandbox-…`, a private versioned encrypted bucket, a table keyed by `publicKey` with the
 * `tenant` index). Idempotent, so a sandbox can reuse an endpoint that already holds them.
 */
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { PUBLIC_KEY_ATTRIBUTE, TENANT_ATTRIBUTE, TENANT_INDEX_NAME } from "../domain/credentialRecords";

/** The `<stack>` part of every physical name, as `ppi-<stack>-…` in a deployed stack. */
export const SANDBOX_NAME_PREFIX = "ppi-sandbox";
export const SANDBOX_BUCKET = `${SANDBOX_NAME_PREFIX}-index`;
export const SANDBOX_TABLE = `${SANDBOX_NAME_PREFIX}-credentials`;

export async function createIndexBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if ((err as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw err;
  }
  await Promise.all([
    s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    ),
    s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    ),
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
      }),
    ),
  ]);
}

export async function createCredentialsTable(dynamodb: DynamoDBClient, table: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: PUBLIC_KEY_ATTRIBUTE, AttributeType: "S" },
          { AttributeName: TENANT_ATTRIBUTE, AttributeType: "S" },
        ],
        KeySchema: [{ AttributeName: PUBLIC_KEY_ATTRIBUTE, KeyType: "HASH" }],
        GlobalSecondaryIndexes: [
          {
            IndexName: TENANT_INDEX_NAME,
            KeySchema: [{ AttributeName: TENANT_ATTRIBUTE, KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
}
