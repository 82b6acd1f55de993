/**
 * Which bucket and table a command works on, and the AWS clients for them. Sources, strongest
 * first: flags (`--bucket`, `--table`, `--region`, `--table-region`, `--endpoint-url`,
 * `--index-url`), the `pulumi stack output --json` file named by `--stack-outputs`, then the
 * environment (`PACKAGE_INDEX_BUCKET`, `PACKAGE_INDEX_TABLE`, `PACKAGE_INDEX_URL`, `AWS_REGION`,
 * `AWS_ENDPOINT_URL`). The bucket lives in the stack's region; the credentials table in us-east-1,
 * next to the edge function.
 */
import * as fs from "fs";
// The SDK loads when a client is made, not for `--help` (start-up time).
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { CliError } from "./errors";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";

export interface TargetFlags {
  readonly bucket?: string;
  readonly table?: string;
  readonly region?: string;
  readonly "table-region"?: string;
  readonly "endpoint-url"?: string;
  readonly "index-url"?: string;
  readonly "stack-outputs"?: string;
}

export interface Target {
  readonly bucket?: string;
  readonly table?: string;
  readonly region?: string;
  readonly tableRegion: string;
  readonly endpoint?: string;
  /** The index's `/simple/` URL, for the client configuration printed by `keys create`. */
  readonly indexUrl?: string;
  /** Static keys from the given environment; absent means the SDK's default credential chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The outputs of `pulumi stack output --json` that the CLI uses. */
const STACK_OUTPUTS = {
  bucket: "bucketName",
  table: "credentialsTableName",
  region: "region",
  indexUrl: "indexUrl",
};

function readStackOutputs(
  file: string,
  readFile: (path: string) => string,
): Record<string, string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(file));
  } catch (err) {
    throw new CliError(
      `cannot read --stack-outputs ${file} (${(err as Error).message}); create it with: pulumi stack output --json > ${file}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      `--stack-outputs ${file} is not a JSON object; create it with: pulumi stack output --json`,
    );
  }
  const outputs = parsed as Record<string, unknown>;
  const pick = (name: string) => (typeof outputs[name] === "string" ? (outputs[name] as string) : undefined);
  return {
    bucket: pick(STACK_OUTPUTS.bucket),
    table: pick(STACK_OUTPUTS.table),
    region: pick(STACK_OUTPUTS.region),
    indexUrl: pick(STACK_OUTPUTS.indexUrl),
  };
}

function first(...values: (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value !== "");
}

export function resolveTarget(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => fs.readFileSync(path, "utf8"),
): Target {
  const outputs = flags["stack-outputs"] ? readStackOutputs(flags["stack-outputs"], readFile) : {};
  const bucket = first(flags.bucket, outputs.bucket, env.PACKAGE_INDEX_BUCKET);
  const table = first(flags.table, outputs.table, env.PACKAGE_INDEX_TABLE);
  const region = first(flags.region, outputs.region, env.AWS_REGION, env.AWS_DEFAULT_REGION);
  const endpoint = first(flags["endpoint-url"], env.AWS_ENDPOINT_URL);
  const indexUrl = first(flags["index-url"], outputs.indexUrl, env.PACKAGE_INDEX_URL);
  return {
    ...(bucket ? { bucket } : {}),
    ...(table ? { table } : {}),
    ...(region ? { region } : {}),
    tableRegion: first(flags["table-region"], env.PACKAGE_INDEX_TABLE_REGION) ?? CLOUDFRONT_REGION,
    ...(endpoint ? { endpoint } : {}),
    ...(indexUrl ? { indexUrl } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
  };
}

const HOW_TO_TARGET =
  "pass --stack-outputs FILE (from `pulumi stack output --json`), or set it with a flag or environment variable";

export function requireBucket(target: Target): { bucket: string; region: string } {
  if (!target.bucket)
    throw new CliError(`no bucket given: ${HOW_TO_TARGET} (--bucket / PACKAGE_INDEX_BUCKET)`);
  if (!target.region) throw new CliError(`no region given: ${HOW_TO_TARGET} (--region / AWS_REGION)`);
  return { bucket: target.bucket, region: target.region };
}

export function requireTable(target: Target): string {
  if (!target.table)
    throw new CliError(`no credentials table given: ${HOW_TO_TARGET} (--table / PACKAGE_INDEX_TABLE)`);
  return target.table;
}

function clientConfig(target: Target) {
  return {
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
  };
}

export async function s3Client(target: Target): Promise<S3Client> {
  const { region } = requireBucket(target);
  const { S3Client } = await import("@aws-sdk/client-s3");
  // A custom endpoint (moto, a local S3) rarely resolves bucket subdomains: use path-style there.
  return new S3Client({ region, ...clientConfig(target), forcePathStyle: target.endpoint !== undefined });
}

export async function dynamoClient(target: Target): Promise<DynamoDBClient> {
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  return new DynamoDBClient({ region: target.tableRegion, ...clientConfig(target) });
}

/**
 * Resolves the client's credentials now, so that a missing credential chain is reported as one
 * clear line before any work starts (and nothing is written).
 */
export async function ensureCredentials(client: S3Client | DynamoDBClient): Promise<void> {
  try {
    await client.config.credentials();
  } catch (err) {
    throw new CliError(
      `no AWS credentials found (${(err as Error).message.split("\n")[0]}); set AWS_PROFILE, or ` +
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available (e.g. CI with OIDC)",
    );
  }
}
