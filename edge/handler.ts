/**
 * The CloudFront viewer-request handler: authenticate the key, route the URI, negotiate the page
 * format, and forward the request rewritten into the key's tenant prefix — or answer it here.
 * It never throws and never forwards a request it could not authenticate (fail closed).
 *
 * The upload endpoints (`/legacy/`, POST only, and the trusted-publishing paths) are forwarded
 * unauthenticated: their function authenticates, from the viewer's Authorization header moved to
 * FORWARDED_AUTHORIZATION_HEADER (origin access control signs the origin request in
 * Authorization itself); a viewer's own value under that name is dropped first.
 *
 * Order: 405 (method) → 400 (URI, query) → 401/503 (credentials) → 404 (unknown route) →
 * 403 (channel, then project restriction) → 301 (canonical URL) → 400/406 (Accept) → forward.
 * A project-restricted key is refused the root page: it is one static object listing every
 * project of the channel, which the edge cannot filter (docs/edge-index.md).
 * Malformed input is refused before any lookup; everything routable requires a valid key.
 * At origin-request (the error-page path only) it answers CloudFront's fetch of a fixed error page.
 */
import type {
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
} from "aws-lambda";
import { keyAllowsProject } from "../domain/credentialRecords";
import { createAuthenticator } from "./authenticate";
import { CredentialLookup, createCachedLookup, keyCacheSettingsProblems } from "./credentialLookup";
import { createDynamoCredentialStore } from "./dynamoCredentialStore";
import { PageFormat, fileKey, projectPageKey, rootPageKey } from "../domain/storageLayout";
import { denialLogLine } from "./log";
import { createFormatNegotiator, formatFromQuery } from "./negotiate";
import {
  errorPage,
  forbidden,
  generatedResponse,
  methodNotAllowed,
  redirect,
  unauthorized,
} from "./responses";
import { Route, canonicalPath, createRouteParser, encodePath } from "./route";
import { AWS_REGION_PATTERN, DYNAMODB_TABLE_NAME_PATTERN } from "../domain/aws";
import {
  FORWARDED_AUTHORIZATION_HEADER,
  LEGACY_UPLOAD_METHOD,
  LEGACY_UPLOAD_PATH,
  UPLOAD_FUNCTION_PATHS,
} from "../domain/upload";
import { REPLACED_ORIGIN_ERRORS, errorPagePath } from "../domain/cloudfront";
import { REALM_ALLOWED, REALM_PATTERN } from "../domain/edgeAuthentication";

/** Plain data captured into the closure at deploy time (there is no environment at the edge). */
export interface ViewerRequestConfig {
  /** The credentials table, `ppi-<stack>-credentials`. */
  readonly tableName: string;
  /** The table's home region (us-east-1). */
  readonly tableRegion: string;
  /** Regions holding a replica; a copy of the function running in one of them reads it there. */
  readonly replicaRegions: readonly string[];
  /** `realm` of the Basic challenge. */
  readonly realm: string;
  /** How long a found key is trusted without a lookup: the bound on revocation delay (≤ 60). */
  readonly keyCacheSeconds: number;
  /** How long an unknown key is remembered (≤ 10): a key created just now works after this. */
  readonly unknownKeyCacheSeconds: number;
  /** Serve `/<channel>/simple/...` and `/<channel>/files/...` next to the main channel. */
  readonly branchChannels: boolean;
}

/** Every problem with a config, as messages naming the field, the value and what is allowed. */
export function viewerRequestConfigProblems(config: ViewerRequestConfig): string[] {
  const problems: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
  if (typeof config.tableName !== "string" || !DYNAMODB_TABLE_NAME_PATTERN.test(config.tableName)) {
    problems.push(
      `tableName ${show(config.tableName)} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`,
    );
  }
  if (typeof config.tableRegion !== "string" || !AWS_REGION_PATTERN.test(config.tableRegion)) {
    problems.push(`tableRegion ${show(config.tableRegion)} is not an AWS region name such as us-east-1`);
  }
  if (!Array.isArray(config.replicaRegions)) {
    problems.push(`replicaRegions ${show(config.replicaRegions)} must be a list of AWS region names`);
  } else {
    for (const region of config.replicaRegions) {
      if (typeof region !== "string" || !AWS_REGION_PATTERN.test(region) || region === config.tableRegion) {
        problems.push(
          `replicaRegions entry ${show(region)} must be an AWS region name other than tableRegion`,
        );
      }
    }
  }
  if (typeof config.realm !== "string" || !REALM_PATTERN.test(config.realm)) {
    problems.push(`realm ${show(config.realm)} must be ${REALM_ALLOWED}`);
  }
  problems.push(...keyCacheSettingsProblems(config));
  if (typeof config.branchChannels !== "boolean") {
    problems.push(`branchChannels ${show(config.branchChannels)} must be true or false`);
  }
  return problems;
}

/** Throws one error listing every problem of a config, prefixed with `context` (who was given it). */
export function assertValidViewerRequestConfig(config: ViewerRequestConfig, context: string): void {
  const problems = viewerRequestConfigProblems(config);
  if (problems.length > 0) {
    throw new Error(`${context}: invalid handler config:\n  - ${problems.join("\n  - ")}`);
  }
}

/** What the handler needs from the outside world; injected by tests, real at the edge. */
export interface HandlerDependencies {
  readonly lookup: CredentialLookup;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** Hands an upload request to its function: the viewer's Authorization moves to the forwarded header. */
function forwardUpload(request: CloudFrontRequest): CloudFrontRequest {
  const headers = request.headers;
  const authorization = headers.authorization;
  delete headers[FORWARDED_AUTHORIZATION_HEADER];
  delete headers.authorization;
  if (authorization !== undefined) {
    headers[FORWARDED_AUTHORIZATION_HEADER] = authorization.map(({ value }) => ({
      key: FORWARDED_AUTHORIZATION_HEADER,
      value,
    }));
  }
  return request;
}

function objectKey(route: Route, tenant: string, format: PageFormat): string {
  switch (route.kind) {
    case "root":
      return rootPageKey(tenant, route.channel, format);
    case "project":
      return projectPageKey(tenant, route.channel, route.project, format);
    case "file":
      return fileKey(tenant, route.channel, route.project, route.filename);
  }
}

/**
 * Origin-request runs on the error-page path alone, where the viewer-request never forwards: what
 * reaches it is CloudFront fetching the fixed page of an origin error. Anything else is a 404;
 * nothing is ever forwarded from here.
 */
function originRequest(uri: string): CloudFrontRequestResult {
  const status = REPLACED_ORIGIN_ERRORS.find((code) => errorPagePath(code) === uri);
  return status === undefined ? generatedResponse(404) : errorPage(status);
}

/** The handler with its dependencies injected; `createViewerRequestHandler` wires the real ones. */
export function createViewerRequestHandlerWith(
  config: ViewerRequestConfig,
  deps: HandlerDependencies,
): (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult> {
  // The request path reads only locals bound here, once per container: in the edge bundle every
  // module-level name a serialized function reads is a `with`-scope lookup, and every call of a
  // module-level function a wrapper that rebuilds it (a fraction of a microsecond each; docs/edge-index.md).
  const negotiateFormat = createFormatNegotiator();
  const parseRoute = createRouteParser(config.branchChannels);
  const authenticate = createAuthenticator(deps.lookup);
  const queryFormat = formatFromQuery;
  const allowsProject = keyAllowsProject;
  const uploadPaths = UPLOAD_FUNCTION_PATHS;
  // Origin URIs by route (the route parser's remembered object for a URI), format and tenant:
  // the rewrite is a pure function of them. Entries go with their route when the parser forgets it.
  const originUris = new WeakMap<Route, Record<PageFormat, Map<string, string>>>();
  function originUri(route: Route, tenant: string, format: PageFormat): string {
    let byFormat = originUris.get(route);
    if (byFormat === undefined) {
      byFormat = { html: new Map(), json: new Map() };
      originUris.set(route, byFormat);
    }
    let origin = byFormat[format].get(tenant);
    if (origin === undefined) {
      origin = `/${encodePath(objectKey(route, tenant, format))}`;
      byFormat[format].set(tenant, origin);
    }
    return origin;
  }
  function headerValues(headers: CloudFrontHeaders | undefined, name: string): string[] | undefined {
    return headers?.[name]?.map((header) => header.value);
  }

  async function decide(
    request: CloudFrontRequest,
    requestId: string | undefined,
  ): Promise<CloudFrontRequestResult> {
    function deny(
      status: number,
      reason: string,
      username?: string,
      detail?: string,
    ): CloudFrontRequestResult {
      deps.log(denialLogLine({ status, reason, username, requestId, detail }));
      if (status === 401) return unauthorized(config.realm);
      return status === 405 ? methodNotAllowed() : generatedResponse(status);
    }
    if (uploadPaths.includes(request.uri)) {
      if (request.uri !== LEGACY_UPLOAD_PATH || request.method === LEGACY_UPLOAD_METHOD)
        return forwardUpload(request);
      deps.log(denialLogLine({ status: 405, reason: "method-not-allowed", requestId }));
      return methodNotAllowed(LEGACY_UPLOAD_METHOD);
    }
    if (request.method !== "GET" && request.method !== "HEAD") return deny(405, "method-not-allowed");
    const parsed = parseRoute(request.uri);
    if (parsed.kind === "malformed") return deny(400, parsed.reason);
    const formatOverride = request.querystring ? queryFormat(request.querystring) : undefined;
    if (formatOverride === "malformed") return deny(400, "malformed-query");

    const auth = await authenticate(headerValues(request.headers, "authorization"), deps.now());
    if (!auth.ok) return deny(auth.status, auth.reason, auth.username, auth.detail);

    if (parsed.kind === "not-found") return deny(404, "no-such-route", auth.username);
    const { route } = parsed;
    const { tenant, channels } = auth.record;
    if (channels !== undefined && !channels.includes(route.channel)) {
      return deny(403, "channel-not-allowed", auth.username);
    }
    // Refused by the key's own restriction: the body may say so (the holder knows its key).
    const restricted = (reason: string, explanation: string) => {
      deps.log(denialLogLine({ status: 403, reason, username: auth.username, requestId }));
      return forbidden(explanation);
    };
    if (auth.record.projects !== undefined && route.kind === "root") {
      return restricted(
        "root-not-allowed",
        "this key may read only the projects it names, and the root page lists them all; request /simple/<project>/ (pip, uv and poetry do)",
      );
    }
    if (route.kind !== "root" && !allowsProject(auth.record, route.project)) {
      return restricted("project-not-allowed", "this key may not read this project");
    }
    if (!parsed.canonical) {
      return redirect(encodePath(canonicalPath(route)) + (formatOverride ? `?format=${formatOverride}` : ""));
    }
    let format: PageFormat = "html";
    if (route.kind !== "file") {
      const negotiated = negotiateFormat(headerValues(request.headers, "accept")?.join(", "), formatOverride);
      if (negotiated === "malformed") return deny(400, "malformed-accept", auth.username);
      if (negotiated === "not-acceptable") return deny(406, "not-acceptable", auth.username);
      format = negotiated;
    }
    request.uri = originUri(route, tenant, format);
    request.querystring = "";
    delete request.headers.authorization;
    return request;
  }

  return async function handleViewerRequest(event) {
    let requestId: string | undefined;
    try {
      const cf = event.Records[0].cf;
      requestId = cf.config?.requestId;
      if (cf.config?.eventType === "origin-request") return originRequest(cf.request.uri);
      return await decide(cf.request, requestId);
    } catch (error) {
      deps.log(
        denialLogLine({ status: 500, reason: "internal-error", requestId, detail: (error as Error)?.name }),
      );
      return generatedResponse(500);
    }
  };
}

/** The viewer-request handler deployed by the EdgeFunction component and run by the sandbox. */
export function createViewerRequestHandler(
  config: ViewerRequestConfig,
): (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult> {
  const store = createDynamoCredentialStore(config.tableName, config);
  const clock = Date; // bound once (a global read per request is a `with` lookup in the edge bundle)
  return createViewerRequestHandlerWith(config, {
    lookup: createCachedLookup(store, {
      validTtlMs: config.keyCacheSeconds * 1000,
      unknownTtlMs: config.unknownKeyCacheSeconds * 1000,
    }),
    now: () => clock.now(),
    log: (line) => console.log(line),
  });
}

/**
 * The factory the CallbackFunction serializes (`callbackFactory`): it runs once per container,
 * so the key cache lives across requests. The sandbox serializes this same function. Throws on an
 * invalid config, before anything is deployed.
 */
export function viewerRequestHandlerFactory(
  config: ViewerRequestConfig,
): () => (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult> {
  assertValidViewerRequestConfig(config, "viewer-request handler");
  const captured: ViewerRequestConfig = {
    tableName: config.tableName,
    tableRegion: config.tableRegion,
    replicaRegions: [...config.replicaRegions],
    realm: config.realm,
    keyCacheSeconds: config.keyCacheSeconds,
    unknownKeyCacheSeconds: config.unknownKeyCacheSeconds,
    branchChannels: config.branchChannels,
  };
  return () => createViewerRequestHandler(captured);
}
