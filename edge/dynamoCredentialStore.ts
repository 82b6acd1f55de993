/**
 * The edge's one AWS adapter: DynamoDB GetItem on the credentials table, as one SigV4-signed JSON
 * POST over node's own http(s). Not the AWS SDK: requiring `@aws-sdk/client-dynamodb` costs
 * 100-250 ms of a cold start, more than everything else together, for a single API call.
 * Endpoint and credentials come from the environment, as the SDK would take them: Lambda@Edge
 * provides the role's credentials; the sandbox and the tests set `AWS_ENDPOINT_URL` to moto.
 */
import * as http from "http";
import * as https from "https";
import { CredentialItem, credentialFromItem, credentialKey } from "../domain/credentialRecords";
import { CORRUPT_RECORD, CredentialStore } from "./credentialLookup";
import { AwsCredentials, signJsonPost } from "./sigv4";

/** Per-attempt limits: two attempts must fit well inside the 5 s viewer-request timeout. */
export const LOOKUP_REQUEST_TIMEOUT_MS = 1000;
export const LOOKUP_MAX_ATTEMPTS = 2;
/** A retry waits a random 0..this, so containers throttled together do not retry together. */
export const LOOKUP_RETRY_MAX_DELAY_MS = 100;

export interface TableLocation {
  readonly tableRegion: string;
  readonly replicaRegions: readonly string[];
}

type Environment = Readonly<Record<string, string | undefined>>;

/** A failed lookup; `name` is what the handler logs (an error class, never a message). */
export type LookupError = Error & { readonly retryable: boolean };

function lookupError(name: string, message: string, retryable: boolean): LookupError {
  return Object.assign(new Error(message), { name, retryable });
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

/** `AWS_ENDPOINT_URL_DYNAMODB`, then `AWS_ENDPOINT_URL`, else the region's public endpoint. */
export function dynamoEndpoint(region: string, env: Environment): URL {
  const configured = env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  const url = new URL(configured || `https://dynamodb.${region}.amazonaws.com`);
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname !== "/" || url.search) {
    throw lookupError(
      "EndpointError",
      `the DynamoDB endpoint ${JSON.stringify(configured)} must be http(s)://host[:port] without a path or query`,
      false,
    );
  }
  return url;
}

/** The Lambda role's credentials, which the runtime puts in the environment. */
export function credentialsFromEnvironment(env: Environment): AwsCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw lookupError("CredentialsError", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set", false);
  }
  return env.AWS_SESSION_TOKEN
    ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN }
    : { accessKeyId, secretAccessKey };
}

function transportFor(url: URL): typeof http | typeof https {
  return url.protocol === "https:" ? https : http;
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * One POST with a deadline over the whole exchange. Any transport failure is retryable: it is
 * typically a kept-alive connection that the server closed while the container was frozen.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  agent: http.Agent,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = transportFor(url).request(url, { method: "POST", headers, agent });
    const timer = setTimeout(() => {
      const message = `no answer within ${LOOKUP_REQUEST_TIMEOUT_MS} ms`;
      request.destroy(lookupError("TimeoutError", message, true));
    }, LOOKUP_REQUEST_TIMEOUT_MS);
    const fail = (error: Error & { retryable?: boolean; code?: string }) => {
      clearTimeout(timer);
      reject(error.retryable ? error : lookupError("NetworkError", error.code ?? error.message, true));
    };
    request.on("error", fail);
    request.on("response", (response: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", fail);
      response.on("end", () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    request.end(body);
  });
}

interface GetItemJson {
  readonly Item?: CredentialItem;
  /** An error's type and message (DynamoDB spells it `message` or `Message`). */
  readonly __type?: unknown;
  readonly message?: unknown;
  readonly Message?: unknown;
}

function parseJson(text: string): GetItemJson | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The item of a 200 answer (undefined: no such key); a DynamoDB error as a LookupError. */
function itemFromAnswer(answer: HttpAnswer): CredentialItem | undefined {
  const parsed = parseJson(answer.body);
  if (answer.status === 200 && parsed) return parsed.Item ?? undefined;
  if (answer.status === 200) throw lookupError("InvalidResponse", "GetItem answered 200 without JSON", false);
  // `__type` is e.g. "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException".
  const type = typeof parsed?.__type === "string" ? parsed.__type.split("#").pop() : undefined;
  const name = type || `HttpError${answer.status}`;
  const throttled = /Throttling|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name);
  const detail = parsed ? String(parsed.message ?? parsed.Message ?? "") : answer.body.slice(0, 300);
  const message = `GetItem answered ${answer.status} ${name}: ${detail}`;
  throw lookupError(name, message, answer.status >= 500 || throttled);
}

export interface CredentialStoreOptions {
  /**
   * Strongly consistent reads (twice the read units): the upload function reads a key it may have
   * minted moments ago in the same region, which an eventually consistent read could still miss
   * (a 401, then remembered as unknown). The edge reads keys made minutes before: not needed there.
   * @default false
   */
  readonly consistentRead?: boolean;
}

export function createDynamoCredentialStore(
  tableName: string,
  location: TableLocation,
  options: CredentialStoreOptions = {},
): CredentialStore {
  // Kept per container so that the TLS connection outlives one request.
  const agents: Record<string, http.Agent> = {};

  async function getItem(publicKey: string): Promise<CredentialItem | undefined> {
    const region = credentialsTableRegion(location, process.env.AWS_REGION);
    const url = dynamoEndpoint(region, process.env);
    const credentials = credentialsFromEnvironment(process.env);
    const agent = (agents[url.protocol] ??= new (transportFor(url).Agent)({ keepAlive: true }));
    const body = JSON.stringify({
      TableName: tableName,
      Key: credentialKey(publicKey),
      ...(options.consistentRead ? { ConsistentRead: true } : {}),
    });
    for (let attempt = 1; ; attempt++) {
      // Signed per attempt: the signature carries the time.
      const headers = signJsonPost(
        {
          host: url.host,
          headers: {
            "content-length": String(Buffer.byteLength(body)),
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "DynamoDB_20120810.GetItem",
          },
          body,
        },
        credentials,
        { region, service: "dynamodb" },
        new Date(),
      );
      try {
        return itemFromAnswer(await post(url, headers, body, agent));
      } catch (error) {
        if (!(error as LookupError).retryable || attempt >= LOOKUP_MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * LOOKUP_RETRY_MAX_DELAY_MS));
      }
    }
  }

  return {
    async get(publicKey) {
      const item = await getItem(publicKey);
      if (!item) return null;
      const record = credentialFromItem(item);
      return record && record.publicKey === publicKey ? record : CORRUPT_RECORD;
    },
  };
}
