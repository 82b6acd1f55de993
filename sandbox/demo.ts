/**
 * The sandbox's demo content: tenant `demo`, a read key and a publish key, and the project `ppi-demo-hello` (two
 * versions of a small wheel built in-process), published through the publishing core, so the
 * pages are exactly what `npm run cli -- publish` writes.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createKey } from "../publishing/customerKeys";
import { indexLocation } from "../publishing/indexLocation";
import { publish } from "../publishing/publish";
import { IndexStore } from "../publishing/indexStore";
import { buildWheel } from "../publishing/wheelBuilder";

export const DEMO_TENANT = "demo";
/** `ppi-` keeps it clear of public PyPI names, so a misconfigured pip cannot find it elsewhere. */
export const DEMO_PROJECT = "ppi-demo-hello";
export const DEMO_VERSIONS: readonly string[] = ["1.0.0", "1.1.0"];

export interface DemoContent {
  readonly tenant: string;
  readonly project: string;
  readonly versions: readonly string[];
  readonly publicKey: string;
  readonly secretKey: string;
  /** A key of the tenant with the publish scope (twine, uv and poetry upload with it). */
  readonly publisher: { readonly publicKey: string; readonly secretKey: string };
}

export interface DemoTarget {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly bucket: string;
  readonly table: string;
}

export async function seedDemo(target: DemoTarget): Promise<DemoContent> {
  const keys = { dynamodb: target.dynamodb, table: target.table };
  const key = await createKey(keys, { tenant: DEMO_TENANT, description: "sandbox demo key" });
  const publisher = await createKey(keys, {
    tenant: DEMO_TENANT,
    scope: "publish",
    description: "sandbox demo publish key",
  });
  const wheels = DEMO_VERSIONS.map((version) =>
    buildWheel({
      name: DEMO_PROJECT,
      version,
      requiresPython: ">=3.8",
      summary: "The sandbox's demo package",
      files: {
        "ppi_demo_hello/__init__.py": `__version__ = "${version}"\n\ndef hello():\n    return "hello from the sandbox index"\n`,
      },
    }),
  );
  // The wheels are byte-for-byte reproducible, so a sandbox reusing an endpoint re-publishes as a no-op.
  await publish(new IndexStore(target.s3, target.bucket), indexLocation(DEMO_TENANT), wheels);
  return {
    tenant: DEMO_TENANT,
    project: DEMO_PROJECT,
    versions: DEMO_VERSIONS,
    publicKey: key.publicKey,
    secretKey: key.secretKey,
    publisher: { publicKey: publisher.publicKey, secretKey: publisher.secretKey },
  };
}
