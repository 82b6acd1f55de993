/**
 * CloudFront viewer-request events for tests, built to the documented Lambda@Edge event shape
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html):
 * one record, `cf.config` with eventType `viewer-request`, `cf.request` with lowercase header
 * names mapping to `[{ key, value }]` lists. Test-only: the sandbox builds its events from real
 * HTTP requests itself.
 */
import type {
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
  CloudFrontResultResponse,
} from "aws-lambda";

export const TEST_DISTRIBUTION_DOMAIN = "d111111abcdef8.cloudfront.net";

export interface ViewerRequestOptions {
  readonly uri: string;
  readonly method?: string;
  readonly querystring?: string;
  /** Header name as sent → value (a list sends the header several times). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly requestId?: string;
}

export function viewerRequestEvent(options: ViewerRequestOptions): CloudFrontRequestEvent {
  const headers: CloudFrontHeaders = { host: [{ key: "Host", value: TEST_DISTRIBUTION_DOMAIN }] };
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    const values = typeof value === "string" ? [value] : value;
    headers[key.toLowerCase()] = values.map((v) => ({ key, value: v }));
  }
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: TEST_DISTRIBUTION_DOMAIN,
            distributionId: "EDFDVBD6EXAMPLE",
            eventType: "viewer-request",
            requestId: options.requestId ?? "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
          },
          request: {
            clientIp: "203.0.113.178",
            method: options.method ?? "GET",
            uri: options.uri,
            querystring: options.querystring ?? "",
            headers,
          },
        },
      },
    ],
  };
}

/** The value of an `Authorization: Basic` header (RFC 7617). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** A result the handler forwarded to the origin (a request: it has a method and no status). */
export function isForwarded(result: CloudFrontRequestResult): result is CloudFrontRequest {
  return typeof result === "object" && result !== null && "method" in result && !("status" in result);
}

/** The generated response, or a failure naming what came back instead. */
export function generated(result: CloudFrontRequestResult): CloudFrontResultResponse {
  if (typeof result !== "object" || result === null || !("status" in result)) {
    throw new Error(`expected a generated response, got ${JSON.stringify(result)}`);
  }
  return result as CloudFrontResultResponse;
}

/** The forwarded request, or a failure naming what came back instead. */
export function forwarded(result: CloudFrontRequestResult): CloudFrontRequest {
  if (!isForwarded(result)) throw new Error(`expected a forwarded request, got ${JSON.stringify(result)}`);
  return result;
}

/** The single value of a header of a generated response or forwarded request (lowercase name). */
export function headerValue(message: { headers?: CloudFrontHeaders }, name: string): string | undefined {
  const values = message.headers?.[name];
  if (values && values.length !== 1) throw new Error(`header ${name} appears ${values.length} times`);
  return values?.[0].value;
}
