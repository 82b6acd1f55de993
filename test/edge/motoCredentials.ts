/**
 * A credentials table on a private moto_server for the adapter, bundle and bench runs: the
 * table created as the sandbox creates it, the given records stored through the shared item
 * mapping, and this process's environment pointed at moto (the adapter, like the edge, takes
 * endpoint, region and credentials from the environment) until `stop()`.
 */
import { AttributeValue, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CredentialRecord, credentialToItem } from "../../domain/credentialRecords";
import { claimProcessEnv } from "../../sandbox/processEnv";
import { createCredentialsTable } from "../../sandbox/resources";
import { MotoServer, startMoto } from "../support/moto";

export interface CredentialsOnMoto {
  readonly moto: MotoServer;
  readonly client: DynamoDBClient;
  put(record: CredentialRecord): Promise<void>;
  /** Stores a raw item, e.g. one no writer of the shared mapping would produce. */
  putItem(item: Record<string, unknown>): Promise<void>;
  /** Restores the environment and stops moto. */
  stop(): Promise<void>;
}

export async function startCredentialsOnMoto(
  tableName: string,
  records: readonly CredentialRecord[],
): Promise<CredentialsOnMoto> {
  const moto = await startMoto({ region: "us-east-1" });
  const client = new DynamoDBClient(moto.clientConfig);
  const putItem = async (item: Record<string, unknown>) => {
    await client.send(
      new PutItemCommand({ TableName: tableName, Item: item as Record<string, AttributeValue> }),
    );
  };
  const put = (record: CredentialRecord) => putItem(credentialToItem(record));
  try {
    await createCredentialsTable(client, tableName);
    for (const record of records) await put(record);
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const restoreEnv = claimProcessEnv({ ...moto.env, AWS_PROFILE: undefined, AWS_SESSION_TOKEN: undefined });
  return {
    moto,
    client,
    put,
    putItem,
    stop: async () => {
      restoreEnv();
      client.destroy();
      await moto.stop();
    },
  };
}
