/**
 * A moto-backed index for the CLI tests: a private server, the bucket and the credentials table
 * created the way a stack would (via the sandbox's resource helpers), and clients for both.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createCredentialsTable, createIndexBucket } from "../../sandbox/resources";
import { IndexStore } from "../../publishing/indexStore";
import { MotoServer, startMoto } from "../support/moto";

export interface CliFixture {
  readonly moto: MotoServer;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly bucket: string;
  readonly table: string;
  /** A fresh store on a new bucket (tests that need an empty index each). */
  newStore(): Promise<IndexStore>;
  stop(): Promise<void>;
}

/** Every key of the store with its ETag: what a test compares to show nothing was written. */
export async function snapshot(store: IndexStore): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const { key } of await store.list("")) result[key] = (await store.head(key))!.etag;
  return result;
}

export async function startCliFixture(): Promise<CliFixture> {
  const moto = await startMoto();
  const s3 = new S3Client(moto.clientConfig);
  const dynamodb = new DynamoDBClient(moto.clientConfig);
  const bucket = "ppi-test-index";
  const table = "ppi-test-credentials";
  await createIndexBucket(s3, bucket);
  await createCredentialsTable(dynamodb, table);
  let buckets = 0;
  return {
    moto,
    s3,
    dynamodb,
    bucket,
    table,
    async newStore() {
      const name = `ppi-test-index-${++buckets}`;
      await createIndexBucket(s3, name);
      return new IndexStore(s3, name);
    },
    async stop() {
      s3.destroy();
      dynamodb.destroy();
      await moto.stop();
    },
  };
}
