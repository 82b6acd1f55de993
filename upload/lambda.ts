/**
 * The deployed upload function's adapter: a Lambda function URL event (payload format 2.0) becomes
 * an UploadRequest, the UploadResponse becomes the function URL's result, and the handler is built
 * by a factory from plain data captured at deploy time (no secret: the archive holds it). The
 * index bucket is written with the AWS SDK v3 the Lambda runtime provides; keys are looked up with
 * the edge's signed GetItem and cache, as at the edge. Trusted publishing is on: the mint endpoint
 * verifies GitHub Actions tokens (GITHUB_OIDC_URL, jose in the archive) for the configured audience
 * and reads publishers and writes minted keys and used tokens in the credentials table, in the
 * region its key lookups read.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { AWS_REGION_PATTERN, DYNAMODB_TABLE_NAME_PATTERN } from "../domain/aws";
import { createCachedLookup, keyCacheSettingsProblems } from "../edge/credentialLookup";
import { createDynamoCredentialStore, credentialsTableRegion } from "../edge/dynamoCredentialStore";
import { GITHUB_OIDC_URL } from "../domain/oidc";
import { IndexStore } from "../publishing/indexStore";
import { trustedPublishingStore } from "../publishing/trustedPublishers";
import { TrustedPublishingConfig } from "../publishing/trustedPublishing";
import { UploadHandlerConfig, createUploadHandler, uploadHandlerConfigProblems } from "./handler";
import { UploadHandler, UploadRequest, UploadResponse } from "./http";

/**
 * Everything the deployed function needs, captured in the closure at deploy time. The token issuer
 * is not part of it: the deployed function trusts GitHub Actions' alone (`GITHUB_ISSUER`).
 */
export interface UploadFunctionConfig extends Omit<UploadHandlerConfig, "trustedPublishing"> {
  /** The index bucket (its generated name, known once the bucket exists). */
  readonly bucketName: string;
  readonly bucketRegion: string;
  /** The credentials table and where it and its replicas are. */
  readonly tableName: string;
  readonly tableRegion: string;
  readonly replicaRegions: readonly string[];
  /** The edge's key cache lifetimes (≤ 60 and ≤ 10 s): revocation holds within the same bound. */
  readonly keyCacheSeconds: number;
  readonly unknownKeyCacheSeconds: number;
  /**
   * The audience `GET /_/oidc/audience` announces and minted tokens must carry (`PackageIndex`:
   * the custom domain, else the stack's name prefix).
   */
  readonly trustedPublishingAudience: string;
}

/** Whose OIDC tokens the mint endpoint verifies: the issuer and where its keys are. */
export type TrustedIssuer = Omit<TrustedPublishingConfig, "audience">;

/** GitHub Actions' token issuer, its keys at GitHub's jwks_uri (`<issuer>/.well-known/jwks`). */
export const GITHUB_ISSUER: TrustedIssuer = { issuer: GITHUB_OIDC_URL };

/** The config the closure holds: the function's, with the issuer's part of trusted publishing. */
interface CapturedConfig extends Omit<UploadFunctionConfig, "trustedPublishingAudience"> {
  readonly trustedPublishing: TrustedPublishingConfig;
}

/**
 * The npm packages the publishing core requires at run time (wheels, sdists, PEP 440, and jose for
 * trusted publishing's token verification: ESM-only, which Node 22 `require`s): the function's
 * archive carries them; the AWS SDK v3 comes with the Lambda runtime.
 */
export const UPLOAD_FUNCTION_PACKAGES = ["fflate", "tar", "@renovatebot/pep440", "jose"] as const;

export type FunctionUrlHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Every problem with a config, as messages naming the field, the value and what is allowed. */
export function uploadFunctionConfigProblems(config: CapturedConfig): string[] {
  const problems = uploadHandlerConfigProblems(config);
  const show = (value: unknown) => JSON.stringify(value);
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  check(
    typeof config.bucketName === "string" && BUCKET_NAME_PATTERN.test(config.bucketName),
    `bucketName ${show(config.bucketName)} is not an S3 bucket name`,
  );
  for (const field of ["bucketRegion", "tableRegion"] as const)
    check(
      typeof config[field] === "string" && AWS_REGION_PATTERN.test(config[field]),
      `${field} ${show(config[field])} is not an AWS region name such as eu-west-1`,
    );
  check(
    Array.isArray(config.replicaRegions) &&
      config.replicaRegions.every((r) => typeof r === "string" && AWS_REGION_PATTERN.test(r)),
    `replicaRegions ${show(config.replicaRegions)} must be a list of AWS region names`,
  );
  check(
    typeof config.tableName === "string" && DYNAMODB_TABLE_NAME_PATTERN.test(config.tableName),
    `tableName ${show(config.tableName)} is not a DynamoDB table name`,
  );
  problems.push(...keyCacheSettingsProblems(config));
  return problems;
}

/**
 * The function URL event as the handler's request: lowercase header names (Lambda joins repeated
 * headers with commas), the body decoded from base64 when Lambda encoded it, the path without its
 * query (`rawPath`).
 */
export function uploadRequestOf(event: LambdaFunctionURLEvent): UploadRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body =
    event.body === undefined || event.body === ""
      ? new Uint8Array(0)
      : new Uint8Array(Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8"));
  return { method: event.requestContext.http.method, path: event.rawPath, headers, body };
}

/** The handler's response as the function URL's result: status, headers and the text body as they are. */
export function functionUrlResultOf(response: UploadResponse): LambdaFunctionURLResult {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}

/** A function URL handler over an upload handler. */
export function functionUrlHandler(handler: UploadHandler): FunctionUrlHandler {
  return async (event) => functionUrlResultOf(await handler(uploadRequestOf(event)));
}

/**
 * The deployed handler: the bucket through the runtime's SDK, keys through the edge's lookup,
 * trusted publishers, used tokens and minted keys through the SDK in the lookup's region.
 */
function createUploadFunctionHandler(config: CapturedConfig): FunctionUrlHandler {
  // Lambda never sets AWS_ENDPOINT_URL; a local stand-in (moto, at an IP address) takes path-style requests.
  const s3 = new S3Client({
    region: config.bucketRegion,
    forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined,
  });
  const store = new IndexStore(s3, config.bucketName);
  // Consistent reads: the upload after a mint looks up the key this function has just written.
  const credentials = createDynamoCredentialStore(config.tableName, config, { consistentRead: true });
  const lookup = createCachedLookup(credentials, {
    validTtlMs: config.keyCacheSeconds * 1000,
    unknownTtlMs: config.unknownKeyCacheSeconds * 1000,
  });
  // Minted keys are written where the key lookup reads (the replica in the function's region, else
  // the home table), so the upload that follows a mint never waits for cross-region replication.
  const dynamodb = new DynamoDBClient({ region: credentialsTableRegion(config, process.env.AWS_REGION) });
  return functionUrlHandler(
    createUploadHandler(
      {
        realm: config.realm,
        bodyLimitBytes: config.bodyLimitBytes,
        trustedPublishing: config.trustedPublishing,
      },
      {
        store,
        lookup,
        trustedPublishing: trustedPublishingStore({ dynamodb, table: config.tableName }),
        now: () => Date.now(),
        log: (line) => console.log(line),
      },
    ),
  );
}

/**
 * The factory the CallbackFunction serializes (`callbackFactory`), once per container so the key
 * cache and the S3 client live across requests. Throws on an invalid config. `issuer` is for tests
 * alone (a loopback stand-in for GitHub's token service): the components call the factory with
 * the config only, so a deployed function trusts GitHub Actions' issuer and no other.
 */
export function uploadFunctionHandlerFactory(
  config: UploadFunctionConfig,
  issuer: TrustedIssuer = GITHUB_ISSUER,
): () => FunctionUrlHandler {
  const captured: CapturedConfig = {
    realm: config.realm,
    bodyLimitBytes: config.bodyLimitBytes,
    bucketName: config.bucketName,
    bucketRegion: config.bucketRegion,
    tableName: config.tableName,
    tableRegion: config.tableRegion,
    replicaRegions: [...config.replicaRegions],
    keyCacheSeconds: config.keyCacheSeconds,
    unknownKeyCacheSeconds: config.unknownKeyCacheSeconds,
    trustedPublishing: {
      issuer: issuer.issuer,
      ...(issuer.jwksUrl !== undefined ? { jwksUrl: issuer.jwksUrl } : {}),
      audience: config.trustedPublishingAudience,
    },
  };
  const problems = uploadFunctionConfigProblems(captured);
  if (problems.length > 0)
    throw new Error(`upload function: invalid handler config:\n  - ${problems.join("\n  - ")}`);
  return () => createUploadFunctionHandler(captured);
}
