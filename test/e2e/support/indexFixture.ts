/**
 * Publishing, yanking and key management against a running sandbox, through the operator CLI's
 * library (the same code `npm run cli -- ...` runs), for end-to-end tests and benchmarks.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createKey, CreatedKey, KeysContext, revokeKey } from "../../../publishing/customerKeys";
import { indexLocation } from "../../../publishing/indexLocation";
import { publish } from "../../../publishing/publish";
import { IndexStore } from "../../../publishing/indexStore";
import { buildWheel, WheelSpec } from "../../../publishing/wheelBuilder";
import { setYanked } from "../../../publishing/yankAndRemove";
import { MAIN_CHANNEL } from "../../../domain/names";
import type { Sandbox } from "../../../sandbox";

export interface IndexFixture {
  publishWheels(tenant: string, specs: readonly WheelSpec[], channel?: string): Promise<void>;
  yank(tenant: string, project: string, version: string, reason: string): Promise<void>;
  createKey(tenant: string, channels?: readonly string[]): Promise<CreatedKey>;
  revokeKey(publicKey: string): Promise<void>;
  destroy(): void;
}

export function indexFixture(sandbox: Sandbox): IndexFixture {
  const clientConfig = {
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    credentials: {
      accessKeyId: sandbox.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: sandbox.env.AWS_SECRET_ACCESS_KEY,
    },
  };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const dynamodb = new DynamoDBClient(clientConfig);
  const store = new IndexStore(s3, sandbox.bucket);
  const keys: KeysContext = { dynamodb, table: sandbox.table };
  return {
    async publishWheels(tenant, specs, channel = MAIN_CHANNEL) {
      await publish(store, indexLocation(tenant, channel), specs.map(buildWheel));
    },
    async yank(tenant, project, version, reason) {
      await setYanked(store, indexLocation(tenant), { project, version }, reason);
    },
    createKey: (tenant, channels) => createKey(keys, { tenant, ...(channels ? { channels } : {}) }),
    async revokeKey(publicKey) {
      await revokeKey(keys, publicKey);
    },
    destroy() {
      s3.destroy();
      dynamodb.destroy();
    },
  };
}
