/**
 * The CloudFront origin-response handler: upstream fall-through. When the bucket answers 404 for a
 * tenant's project page, the tenant does not have that project in that channel, and the client is
 * sent (302) to the upstream index's page of the name, unless the name is the tenant's anyway:
 *
 *   - reserved by the tenant (an exact name or a glob in `<tenant>/reserved-names.json`): the 404
 *     stays, so nobody else's package of that name is ever offered;
 *   - on a branch channel, published on the tenant's main channel: the 404 stays.
 *
 * Every other answer passes untouched: pages and tombstone-holding pages the tenant has (200),
 * files and `.metadata` (never fall through), root pages, and a 403 (a refused read is not a
 * missing page; redirecting it would hand private names to the upstream) — except that S3's body
 * of a 400 or 403 is replaced by the edge's fixed one (`withoutS3ErrorBody`), since with the upload
 * function behind the distribution those statuses are no custom error responses. It runs only on cache
 * misses, after the viewer-request function authenticated and rewrote the request, so the tenant
 * in the URI is the key's. If the reserved list cannot be read it answers 503 (never a redirect).
 */
import type {
  CloudFrontRequest,
  CloudFrontResponse,
  CloudFrontResponseEvent,
  CloudFrontResponseResult,
  CloudFrontResultResponse,
} from "aws-lambda";
import { AWS_REGION_PATTERN } from "../domain/aws";
import { UPLOAD_ERROR_BODIES_KEPT } from "../domain/cloudfront";
import { MAIN_CHANNEL, isValidTenant } from "../domain/names";
import { RESERVED_NAMES_CACHE_SECONDS, isReserved, parseReservedNames } from "../domain/reservedNames";
import {
  PAGE_CACHE_CONTROL,
  parseProjectPageKey,
  projectPageKey,
  reservedNamesKey,
} from "../domain/storageLayout";
import { upstreamIndexProblem, upstreamProjectUrl } from "../domain/upstreamIndex";
import { createKeyCache } from "./keyCache";
import { denialLogLine } from "./log";
import { generatedResponse } from "./responses";
import { ObjectReader, createS3ObjectReader } from "./s3Objects";

/** Plain data captured into the closure at deploy time. */
export interface OriginResponseConfig {
  /**
   * Region of the index bucket (the stack's). The bucket itself is the request's S3 origin: its
   * name is an Output, unknown when the closure is captured.
   */
  readonly bucketRegion: string;
  /** The upstream index of tenants without an override (`https://…/simple/`), or null for none. */
  readonly upstreamIndex: string | null;
  /** Per-tenant upstream (null: no fall-through for that tenant), over `upstreamIndex`. */
  readonly tenantUpstreamIndexes: Readonly<Record<string, string | null>>;
  /** Admit `http://127.0.0.1…` upstreams: the sandbox's stand-in for PyPI. Never set when deployed. */
  readonly allowLoopbackUpstream?: boolean;
}

/** The S3 origin's domain, `<bucket>.s3.<region>.amazonaws.com` (or `<bucket>.s3.amazonaws.com`). */
const S3_ORIGIN_DOMAIN = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3(?:\.[a-z0-9-]+)?\.amazonaws\.com$/;

/** The bucket of the request's S3 origin, or undefined when the origin is not an S3 bucket. */
export function originBucket(request: CloudFrontRequest): string | undefined {
  const domainName = request.origin?.s3?.domainName;
  return domainName === undefined ? undefined : S3_ORIGIN_DOMAIN.exec(domainName)?.[1];
}

/** Every problem with a config, as messages naming the field, the value and what is allowed. */
export function originResponseConfigProblems(config: OriginResponseConfig): string[] {
  const problems: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
  if (typeof config.bucketRegion !== "string" || !AWS_REGION_PATTERN.test(config.bucketRegion)) {
    problems.push(`bucketRegion ${show(config.bucketRegion)} is not an AWS region name such as eu-west-1`);
  }
  const loopback = config.allowLoopbackUpstream === true;
  const upstreamProblem = (field: string, value: unknown) => {
    const problem = value === null ? undefined : upstreamIndexProblem(value, loopback);
    if (problem) problems.push(`${field} ${problem}, or null for no fall-through`);
  };
  upstreamProblem("upstreamIndex", config.upstreamIndex);
  const overrides = config.tenantUpstreamIndexes;
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    problems.push(`tenantUpstreamIndexes ${show(overrides)} must map tenant names to an upstream or null`);
  } else {
    for (const [tenant, upstream] of Object.entries(overrides)) {
      if (!isValidTenant(tenant)) problems.push(`tenantUpstreamIndexes names ${show(tenant)}, not a tenant`);
      upstreamProblem(`tenantUpstreamIndexes.${tenant}`, upstream);
    }
  }
  return problems;
}

export function assertValidOriginResponseConfig(config: OriginResponseConfig, context: string): void {
  const problems = originResponseConfigProblems(config);
  if (problems.length > 0) {
    throw new Error(`${context}: invalid handler config:\n  - ${problems.join("\n  - ")}`);
  }
}

/** Whether any tenant can fall through: without, the function need not be deployed at all. */
export function fallThroughEnabled(
  config: Pick<OriginResponseConfig, "upstreamIndex" | "tenantUpstreamIndexes">,
): boolean {
  return config.upstreamIndex !== null || Object.values(config.tenantUpstreamIndexes).some((u) => u !== null);
}

/** What the handler needs from the outside world; injected by tests, real at the edge. */
export interface OriginResponseDependencies {
  /** Reads objects of the bucket named (the request's origin). */
  readonly objects: (bucket: string) => ObjectReader;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** The 302 to the upstream: cached by CloudFront like a page (within the page TTL), never `301`. */
export function fallThroughRedirect(location: string): CloudFrontResultResponse {
  const found = generatedResponse(302, { Location: location });
  found.headers!["cache-control"] = [{ key: "Cache-Control", value: PAGE_CACHE_CONTROL }];
  return found;
}

/**
 * S3's answer with a status whose bodies the upload function keeps (400, 403) gets the edge's fixed
 * body for that status: the distribution's custom error responses leave those statuses to the
 * upload function, so S3's bodies of them are replaced here, on the S3 behaviours. Others pass.
 */
export function withoutS3ErrorBody(response: CloudFrontResponse): CloudFrontResponseResult {
  const status = Number(response.status);
  return (UPLOAD_ERROR_BODIES_KEPT as readonly number[]).includes(status)
    ? generatedResponse(status)
    : response;
}

/** S3 decodes the request path once to find the key; undefined for an undecodable one. */
function keyOfUri(uri: string): string | undefined {
  try {
    return decodeURIComponent(uri.slice(1));
  } catch {
    return undefined;
  }
}

export function createOriginResponseHandlerWith(
  config: OriginResponseConfig,
  deps: OriginResponseDependencies,
): (event: CloudFrontResponseEvent) => Promise<CloudFrontResponseResult> {
  const reservedCache = createKeyCache<readonly string[]>();

  async function reservedPatterns(objects: ObjectReader, tenant: string): Promise<readonly string[]> {
    const nowMs = deps.now();
    const cached = reservedCache.get(tenant, nowMs);
    if (cached !== undefined) return cached;
    const text = await objects.read(reservedNamesKey(tenant));
    const patterns = text === undefined ? [] : parseReservedNames(text);
    if (patterns === undefined)
      throw Object.assign(new Error("malformed reserved names"), { name: "MalformedReservedNames" });
    reservedCache.set(tenant, patterns, RESERVED_NAMES_CACHE_SECONDS * 1000, nowMs);
    return patterns;
  }

  async function decide(
    response: CloudFrontResponse,
    request: CloudFrontRequest,
    requestId: string | undefined,
  ): Promise<CloudFrontResponseResult> {
    if (response.status !== "404") return withoutS3ErrorBody(response);
    const key = keyOfUri(request.uri);
    const page = key === undefined ? undefined : parseProjectPageKey(key);
    if (page === undefined) return response;
    const { tenant, channel, project, format } = page;
    const upstream = Object.hasOwn(config.tenantUpstreamIndexes, tenant)
      ? config.tenantUpstreamIndexes[tenant]
      : config.upstreamIndex;
    if (upstream === null) return response;
    const bucket = originBucket(request);
    if (bucket === undefined) {
      deps.log(denialLogLine({ status: 503, reason: "origin-not-s3", requestId }));
      return generatedResponse(503);
    }
    try {
      const objects = deps.objects(bucket);
      // The JSON page is the authoritative one (written first, HTML follows): a missing HTML page
      // of a held name (a crash between the two writes) must not send HTML clients upstream. On a
      // branch channel, a name main holds is held too.
      const heldIf = [
        ...(format === "json" ? [] : [projectPageKey(tenant, channel, project, "json")]),
        ...(channel === MAIN_CHANNEL ? [] : [projectPageKey(tenant, MAIN_CHANNEL, project, "json")]),
      ];
      const [reserved, ...held] = await Promise.all([
        reservedPatterns(objects, tenant),
        ...heldIf.map((pageKey) => objects.exists(pageKey)),
      ]);
      if (held.some(Boolean) || isReserved(reserved, project)) return response;
    } catch (error) {
      deps.log(
        denialLogLine({
          status: 503,
          reason: "names-lookup-failed",
          requestId,
          detail: (error as Error)?.name,
        }),
      );
      return generatedResponse(503);
    }
    return fallThroughRedirect(upstreamProjectUrl(upstream, project));
  }

  return async function handleOriginResponse(event) {
    let requestId: string | undefined;
    try {
      const cf = event.Records[0].cf;
      requestId = cf.config?.requestId;
      return await decide(cf.response, cf.request, requestId);
    } catch (error) {
      deps.log(
        denialLogLine({ status: 500, reason: "internal-error", requestId, detail: (error as Error)?.name }),
      );
      return generatedResponse(500);
    }
  };
}

export function createOriginResponseHandler(
  config: OriginResponseConfig,
): (event: CloudFrontResponseEvent) => Promise<CloudFrontResponseResult> {
  const readers: Record<string, ObjectReader> = {};
  return createOriginResponseHandlerWith(config, {
    objects: (bucket) => (readers[bucket] ??= createS3ObjectReader(bucket, config.bucketRegion)),
    now: () => Date.now(),
    log: (line) => console.log(line),
  });
}

/**
 * The factory the CallbackFunction serializes (`callbackFactory`), once per container so the
 * reserved-name cache lives across requests. Throws on an invalid config, before anything deploys.
 */
export function originResponseHandlerFactory(
  config: OriginResponseConfig,
): () => (event: CloudFrontResponseEvent) => Promise<CloudFrontResponseResult> {
  assertValidOriginResponseConfig(config, "origin-response handler");
  const captured: OriginResponseConfig = {
    bucketRegion: config.bucketRegion,
    upstreamIndex: config.upstreamIndex,
    tenantUpstreamIndexes: { ...config.tenantUpstreamIndexes },
    allowLoopbackUpstream: config.allowLoopbackUpstream === true,
  };
  return () => createOriginResponseHandler(captured);
}
