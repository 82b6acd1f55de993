/**
 * The origin-response function's AWS adapter: reads of single objects of the index bucket, as
 * SigV4-signed S3 requests over node's own http(s) (no SDK, as for DynamoDB). `read` is a GET;
 * `exists` lists the one key (ListObjectsV2 with the key as prefix), so a missing key is told from
 * a refused one even though the role may list nothing but those keys: without an unconditioned
 * `s3:ListBucket`, S3 answers a GET of a missing key with 403. Endpoint and credentials come from
 * the environment: Lambda@Edge gives the role's; the sandbox sets `AWS_ENDPOINT_URL` to moto.
 */
import * as http from "http";
import * as https from "https";
import { credentialsFromEnvironment } from "./dynamoCredentialStore";
import { sha256Hex, signRequest } from "./sigv4";

/** One attempt, well inside the 5 s timeout; a failure answers 503 and the client retries. */
export const S3_REQUEST_TIMEOUT_MS = 1500;

const EMPTY_PAYLOAD_HASH = sha256Hex("");

export interface ObjectReader {
  /** The object's text, or undefined if there is no such key; rejects on any other answer. */
  read(key: string): Promise<string | undefined>;
  exists(key: string): Promise<boolean>;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL` (path-style), else the bucket's virtual host. */
export function bucketBaseUrl(bucket: string, region: string, env: Environment): URL {
  const configured = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (!configured) return new URL(`https://${bucket}.s3.${region}.amazonaws.com/`);
  const url = new URL(configured);
  url.pathname = `${url.pathname.replace(/\/$/, "")}/${bucket}/`;
  return url;
}

function s3Error(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method, headers, timeout: S3_REQUEST_TIMEOUT_MS });
    request.on("timeout", () =>
      request.destroy(s3Error("TimeoutError", `no answer within ${S3_REQUEST_TIMEOUT_MS} ms`)),
    );
    request.on("error", (error: Error & { code?: string }) =>
      reject(error.name === "TimeoutError" ? error : s3Error("NetworkError", error.code ?? error.message)),
    );
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    request.end();
  });
}

export function createS3ObjectReader(bucket: string, region: string): ObjectReader {
  async function get(key: string, query?: Record<string, string>) {
    const base = bucketBaseUrl(bucket, region, process.env);
    const url = new URL(key, base);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    const headers = signRequest(
      {
        method: "GET",
        host: url.host,
        path: url.pathname,
        ...(query ? { query } : {}),
        headers: { "x-amz-content-sha256": EMPTY_PAYLOAD_HASH },
        payloadHash: EMPTY_PAYLOAD_HASH,
      },
      credentialsFromEnvironment(process.env),
      { region, service: "s3" },
      new Date(),
    );
    return send(url, "GET", headers);
  }

  async function exists(key: string): Promise<boolean> {
    const answer = await get("", { "list-type": "2", "max-keys": "1", prefix: key });
    if (answer.status !== 200)
      throw s3Error(`HttpError${answer.status}`, `ListObjectsV2 answered ${answer.status}`);
    // Keys here are `[a-z0-9./-]`: nothing to XML-escape.
    return answer.body.includes(`<Key>${key}</Key>`);
  }

  return {
    async read(key) {
      const answer = await get(key);
      if (answer.status === 200) return answer.body;
      if ((answer.status === 404 || answer.status === 403) && !(await exists(key))) return undefined;
      throw s3Error(`HttpError${answer.status}`, `GetObject answered ${answer.status}`);
    },
    exists,
  };
}
