/**
 * The edge's one AWS adapter: DynamoDB GetItem on the credentials table with the AWS SDK v3 that
 * the Lambda runtime provides. The SDK is required lazily on the first lookup, so a cold start
 * that is answered from the request alone (a 401 without credentials, a 400) never loads it, and
 * so the serialized bundle `require`s it from the runtime instead of capturing it.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CredentialItem, credentialFromItem } from "./credentials";
import { CredentialStore } from "./credentialLookup";

/** Per-attempt limits: two attempts must fit well inside the 5 s viewer-request timeout. */
export const LOOKUP_REQUEST_TIMEOUT_MS = 1000;
export const LOOKUP_MAX_ATTEMPTS = 2;

export interface TableLocation {
  readonly tableRegion: string;
  readonly replicaRegions: readonly string[];
}

/**
 * The region to read: the replica in the region this copy of the function runs in (Lambda@Edge
 * sets AWS_REGION to it), else the table's home region.
 */
export function credentialsTableRegion(location: TableLocation, runningRegion: string | undefined): string {
  return runningRegion !== undefined && location.replicaRegions.includes(runningRegion)
    ? runningRegion
    : location.tableRegion;
}

export function createDynamoCredentialStore(tableName: string, location: TableLocation): CredentialStore {
  let client: DynamoDBClient | undefined;
  return {
    async get(publicKey) {
      const sdk = require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
      client ??= new sdk.DynamoDBClient({
        region: credentialsTableRegion(location, process.env.AWS_REGION),
        maxAttempts: LOOKUP_MAX_ATTEMPTS,
        requestHandler: {
          requestTimeout: LOOKUP_REQUEST_TIMEOUT_MS,
          connectionTimeout: LOOKUP_REQUEST_TIMEOUT_MS,
        },
      });
      const output = await client.send(
        new sdk.GetItemCommand({ TableName: tableName, Key: { publicKey: { S: publicKey } } }),
      );
      if (!output.Item) return null;
      const record = credentialFromItem(output.Item as CredentialItem);
      return record && record.publicKey === publicKey ? record : null;
    },
  };
}
