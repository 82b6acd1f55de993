/**
 * The S3 origin behind the emulated distribution: an accepted (rewritten) request becomes a
 * GetObject or HeadObject of the key its URI names, with the viewer's Range and conditional
 * headers, and S3's answer is relayed the way CloudFront relays it (status, Content-Type,
 * Cache-Control, ETag, Last-Modified, Content-Length, Content-Range). A missing key is 404, as
 * it is in a deployed stack, where the origin access control may list the bucket; an error's body
 * is the distribution's fixed page for its status, as in a deployed stack. Immutable
 * objects are kept in the CDN cache emulation (`cdnCache.ts`) after their first GET.
 */
import * as http from "http";
import { Readable } from "stream";
import { pipeline } from "stream/promises";
import type { CloudFrontHeaders, CloudFrontRequest } from "aws-lambda";
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { REPLACED_ORIGIN_ERRORS } from "../domain/cloudfront";
import { securityResponseHeaders } from "../domain/responseHeaders";
import { CachedObject, ImmutableObjectCache, isImmutable } from "./cdnCache";

const VIA = "1.1 sandbox.cloudfront.net (CloudFront)";

function header(headers: CloudFrontHeaders, name: string): string | undefined {
  return headers[name]?.[0]?.value;
}

/** S3 decodes the request path once to find the key; `undefined` for a path S3 would reject. */
export function objectKeyOf(uri: string): string | undefined {
  try {
    return decodeURIComponent(uri.slice(1));
  } catch {
    return undefined;
  }
}

interface ObjectHead {
  ContentType?: string;
  ContentLength?: number;
  ContentRange?: string;
  CacheControl?: string;
  ETag?: string;
  LastModified?: Date;
}

/**
 * `writeHead` through `setHeader`, so the served-request log can read the headers back, with the
 * distribution's response headers policy over them, as CloudFront adds it to every response.
 */
export function writeHead(
  response: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders,
): void {
  for (const [name, value] of Object.entries({ ...headers, ...securityResponseHeaders() })) {
    if (value !== undefined) response.setHeader(name, value);
  }
  response.writeHead(status);
}

function successHeaders(object: ObjectHead): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {
    "accept-ranges": "bytes",
    via: VIA,
    "x-cache": "Miss from cloudfront",
  };
  if (object.ContentType) headers["content-type"] = object.ContentType;
  if (object.ContentLength !== undefined) headers["content-length"] = object.ContentLength;
  if (object.ContentRange) headers["content-range"] = object.ContentRange;
  if (object.CacheControl) headers["cache-control"] = object.CacheControl;
  if (object.ETag) headers.etag = object.ETag;
  if (object.LastModified) headers["last-modified"] = object.LastModified.toUTCString();
  return headers;
}

function sendError(response: http.ServerResponse, method: string, status: number, code: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code></Error>\n`;
  writeHead(response, status, {
    via: VIA,
    "x-cache": "Error from cloudfront",
    "content-type": "application/xml",
    "content-length": body.length,
  });
  response.end(method === "HEAD" ? undefined : body);
}

/** The fixed page CloudFront shows for an origin error of a status (its custom error responses). */
export type ErrorPages = (
  status: number,
) => Promise<{ headers: http.OutgoingHttpHeaders; body: Buffer } | undefined>;

/**
 * Answers an origin error as the distribution does: a status among REPLACED_ORIGIN_ERRORS gets its
 * fixed page (S3's body never reaches the viewer); without one, S3's error as S3 sent it.
 */
async function sendOriginError(
  response: http.ServerResponse,
  method: string,
  status: number,
  code: string,
  errorPages: ErrorPages,
): Promise<void> {
  const page = (REPLACED_ORIGIN_ERRORS as readonly number[]).includes(status)
    ? await errorPages(status)
    : undefined;
  if (!page) return sendError(response, method, status, code);
  writeHead(response, status, {
    ...page.headers,
    via: VIA,
    "x-cache": "Error from cloudfront",
    "content-length": page.body.length,
  });
  response.end(method === "HEAD" ? undefined : page.body);
}

/**
 * An origin-response trigger: called with the origin's status before anything is written; true when
 * it answered the viewer itself (the function replaced the response), false to relay the origin's.
 */
export type OriginResponseHook = (status: number) => Promise<boolean>;

/** Relays S3's error; anything that is not an S3 answer means the origin is unreachable (502). */
async function sendS3Error(
  response: http.ServerResponse,
  method: string,
  err: unknown,
  errorPages: ErrorPages,
  onResponse?: OriginResponseHook,
): Promise<void> {
  if (!(err instanceof S3ServiceException)) return sendError(response, method, 502, "OriginUnreachable");
  const status = err.$metadata.httpStatusCode ?? 502;
  if (status !== 304 && onResponse && (await onResponse(status))) return;
  if (status === 304) {
    const etag = err.$response?.headers?.etag;
    writeHead(response, 304, { via: VIA, "x-cache": "Hit from cloudfront", ...(etag ? { etag } : {}) });
    response.end();
    return;
  }
  // S3 names the missing key NoSuchKey on GET and NotFound on HEAD; both are the same 404.
  await sendOriginError(response, method, status, status === 404 ? "NoSuchKey" : err.name, errorPages);
}

export class S3Origin {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly cache = new ImmutableObjectCache(),
  ) {}

  /**
   * Answers `request` from the cache or the bucket, errors with `errorPages`; returns the key it
   * read. `onResponse` runs on the bucket's answers (not on cache hits), as an origin-response
   * trigger does, before the distribution's custom error responses apply.
   */
  async serve(
    method: string,
    request: CloudFrontRequest,
    response: http.ServerResponse,
    errorPages: ErrorPages,
    onResponse?: OriginResponseHook,
  ): Promise<string> {
    const key = objectKeyOf(request.uri);
    if (key === undefined) {
      await sendOriginError(response, method, 400, "InvalidURI", errorPages);
      return request.uri;
    }
    const params = {
      Bucket: this.bucket,
      Key: key,
      Range: header(request.headers, "range"),
      IfNoneMatch: header(request.headers, "if-none-match"),
      IfMatch: header(request.headers, "if-match"),
      IfModifiedSince: dateOf(header(request.headers, "if-modified-since")),
      IfUnmodifiedSince: dateOf(header(request.headers, "if-unmodified-since")),
    };
    // Whole-object requests may use the cache; ranges and other preconditions go to the origin.
    const whole = !params.Range && !params.IfMatch && !params.IfModifiedSince && !params.IfUnmodifiedSince;
    const cached = whole ? this.cache.get(key) : undefined;
    if (cached) {
      sendCached(response, method, cached, params.IfNoneMatch);
      return key;
    }
    try {
      if (method === "HEAD") {
        const head = await this.s3.send(new HeadObjectCommand(params));
        if (onResponse && (await onResponse(head.ContentRange ? 206 : 200))) return key;
        writeHead(response, head.ContentRange ? 206 : 200, successHeaders(head));
        response.end();
        return key;
      }
      const object = await this.s3.send(new GetObjectCommand(params));
      if (onResponse && (await onResponse(object.ContentRange ? 206 : 200))) {
        object.Body?.transformToByteArray().catch(() => undefined);
        return key;
      }
      const headers = successHeaders(object);
      if (
        whole &&
        !object.ContentRange &&
        isImmutable(object.CacheControl) &&
        this.cache.accepts(object.ContentLength)
      ) {
        const body = Buffer.from(await object.Body!.transformToByteArray());
        this.cache.set(key, { body, headers, ...(object.ETag ? { etag: object.ETag } : {}) });
        writeHead(response, 200, headers);
        response.end(body);
      } else {
        writeHead(response, object.ContentRange ? 206 : 200, headers);
        await pipeline(object.Body as Readable, response);
      }
    } catch (err) {
      if (response.headersSent) response.destroy();
      else await sendS3Error(response, method, err, errorPages, onResponse);
    }
    return key;
  }
}

function sendCached(
  response: http.ServerResponse,
  method: string,
  cached: CachedObject,
  ifNoneMatch?: string,
): void {
  if (ifNoneMatch !== undefined && ifNoneMatch === cached.etag) {
    writeHead(response, 304, { via: VIA, "x-cache": "Hit from cloudfront", etag: cached.etag });
    response.end();
    return;
  }
  writeHead(response, 200, { ...cached.headers, "x-cache": "Hit from cloudfront" });
  response.end(method === "HEAD" ? undefined : cached.body);
}

function dateOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
