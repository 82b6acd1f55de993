/**
 * AWS Signature Version 4: all the edge needs to call DynamoDB (one JSON POST) and S3 (a GET or a
 * list of one key) without the AWS SDK, whose load alone would dominate a cold start. A pure function of
 * its inputs (the date included), so tests can compare it byte for byte with the SDK's signer.
 * Hand-written on purpose: the edge bundle takes no npm package, and `@smithy/signature-v4` pulls
 * the SDK's runtime in; AWS's published vectors and the SDK's own signer test it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import * as crypto from "crypto";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials (a Lambda role's are); sent as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

export interface SigningScope {
  readonly region: string;
  /** The signing name, e.g. `dynamodb`. */
  readonly service: string;
}

export interface JsonPost {
  /** `host` or `host:port`, exactly as sent in the Host header. */
  readonly host: string;
  /** Further headers to send and sign (e.g. content-type, x-amz-target); names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function sha256Hex(text: string): string {
  return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}

function hmacSha256(key: crypto.BinaryLike, text: string): Buffer {
  return crypto.createHmac("sha256", key).update(text, "utf8").digest();
}

/** `YYYYMMDDTHHMMSSZ`, the `x-amz-date` form (no separators, no milliseconds). */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, "");
}

/** kSigning = HMAC chain over date, region, service and the terminator, keyed by the secret. */
export function signingKey(secretAccessKey: string, shortDate: string, scope: SigningScope): Buffer {
  const dateKey = hmacSha256(`AWS4${secretAccessKey}`, shortDate);
  const regionKey = hmacSha256(dateKey, scope.region);
  const serviceKey = hmacSha256(regionKey, scope.service);
  return hmacSha256(serviceKey, "aws4_request");
}

/** Any request: the edge's two calls are DynamoDB's JSON POST and S3's GET/HEAD of one object. */
export interface SignableRequest {
  readonly method: string;
  /** `host` or `host:port`, exactly as sent in the Host header. */
  readonly host: string;
  /** The path as sent, already URI-encoded (S3 signs it as is). */
  readonly path: string;
  /** Query parameters, unencoded; signed sorted and encoded as SigV4 requires. */
  readonly query?: Readonly<Record<string, string>>;
  /** Further headers to send and sign; names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body. */
  readonly payloadHash: string;
}

/** RFC 3986 encoding of a query component, as SigV4 canonicalizes it. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `a=1&b=2`, sorted by name: the canonical query string, which is also what to send. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${encodeRfc3986(name)}=${encodeRfc3986(query[name])}`)
    .join("&");
}

/**
 * The headers to send for `request`: its own, `host`, `x-amz-date`, `x-amz-security-token` with a
 * session token, and `authorization` signing all of them.
 */
export function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  scope: SigningScope,
  date: Date,
): Record<string, string> {
  const longDate = amzDate(date);
  const shortDate = longDate.slice(0, 8);
  const headers: Record<string, string> = { ...request.headers, host: request.host, "x-amz-date": longDate };
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(";");
  const canonicalHeaders = names.map((name) => `${name}:${headers[name].trim().replace(/\s+/g, " ")}\n`);
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery(request.query ?? {}),
    canonicalHeaders.join(""),
    signedHeaders,
    request.payloadHash,
  ].join("\n");
  const credentialScope = `${shortDate}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, longDate, credentialScope, sha256Hex(canonicalRequest)].join("\n");
  const signature = hmacSha256(signingKey(credentials.secretAccessKey, shortDate, scope), stringToSign);
  headers.authorization =
    `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature.toString("hex")}`;
  return headers;
}

/** The headers to send for `POST /` with `request.body` (see `signRequest`). */
export function signJsonPost(
  request: JsonPost,
  credentials: AwsCredentials,
  scope: SigningScope,
  date: Date,
): Record<string, string> {
  const { host, headers, body } = request;
  return signRequest(
    { method: "POST", host, path: "/", headers, payloadHash: sha256Hex(body) },
    credentials,
    scope,
    date,
  );
}
