/**
 * The legacy upload endpoint (`POST /legacy/`): authenticate the uploader, read the form, and
 * publish the one file it carries through the publishing core, answering as twine, uv and poetry
 * expect: 200 on success and on the same bytes again, 409 for a file name taken by other bytes,
 * 400 naming what is wrong, 413 past the body limit, 401/403 for credentials, never a redirect.
 * A refused upload writes nothing. The same handler runs in the sandbox and in the deployed
 * upload function, each adapter turning its request into an UploadRequest.
 */
import { CredentialRecord, keyAllowsProject } from "../domain/credentialRecords";
import { REALM_ALLOWED, REALM_PATTERN } from "../domain/edgeAuthentication";
import { MAIN_CHANNEL } from "../domain/names";
import {
  FORWARDED_AUTHORIZATION_HEADER,
  LEGACY_UPLOAD_METHOD,
  LEGACY_UPLOAD_PATH,
  UPLOAD_BODY_LIMIT_BYTES,
  uploadTooLargeMessage,
} from "../domain/upload";
import { Refusal, createAuthenticator } from "../edge/authenticate";
import { CredentialLookup } from "../edge/credentialLookup";
import { denialLogLine } from "../edge/log";
import { basicChallenge } from "../edge/responses";
import { PublishingError, PublishingErrorKind } from "../publishing/errors";
import { IndexStore } from "../publishing/indexStore";
import { indexLocation } from "../publishing/indexLocation";
import { PublishError, publish } from "../publishing/publish";
import { UploadHandler, UploadRequest, UploadResponse } from "./http";
import { FormFieldError, LegacyUpload, readLegacyUpload } from "./legacyForm";
import { TrustedPublishingConfig, TrustedPublishingDependencies } from "../publishing/trustedPublishing";
import { createOidcRoutes, trustedPublishingConfigProblems } from "./oidcRoutes";
import { MultipartError, parseMultipartForm } from "./multipart";

/** Plain data captured at deploy time (or given by the sandbox). */
export interface UploadHandlerConfig {
  /** `realm` of the Basic challenge (the edge's). */
  readonly realm: string;
  /** Largest body accepted, 1..UPLOAD_BODY_LIMIT_BYTES. */
  readonly bodyLimitBytes: number;
  /**
   * Trusted publishing (`/_/oidc/audience`, `/_/oidc/mint-token`): the token issuer and this
   * index's audience. @default none: both routes answer 404 `not-enabled`
   */
  readonly trustedPublishing?: TrustedPublishingConfig;
}

export interface UploadDependencies {
  /** The index bucket. */
  readonly store: IndexStore;
  /** The edge's cached credential lookup (edge/credentialLookup). */
  readonly lookup: CredentialLookup;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** One line per upload and per refusal; never a secret. */
  readonly log: (line: string) => void;
  /**
   * Trusted publishers and key minting in the credentials table (`trustedPublishingStore` of
   * publishing/trustedPublishers), and optionally the issuer's keys. Needed with
   * config.trustedPublishing.
   */
  readonly trustedPublishing?: Omit<TrustedPublishingDependencies, "now">;
}

/** Every problem with a config, as messages naming the field, the value and what is allowed. */
export function uploadHandlerConfigProblems(config: UploadHandlerConfig): string[] {
  const problems: string[] = [];
  if (typeof config.realm !== "string" || !REALM_PATTERN.test(config.realm)) {
    problems.push(`realm ${JSON.stringify(config.realm)} must be ${REALM_ALLOWED}`);
  }
  const limit = config.bodyLimitBytes;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > UPLOAD_BODY_LIMIT_BYTES) {
    problems.push(
      `bodyLimitBytes ${JSON.stringify(limit)} must be an integer from 1 to ${UPLOAD_BODY_LIMIT_BYTES}`,
    );
  }
  if (config.trustedPublishing !== undefined) {
    problems.push(...trustedPublishingConfigProblems(config.trustedPublishing));
  }
  return problems;
}

/**
 * Who is uploading: the tenant the file goes to and what the credential allows. A key is one kind
 * of credential; others (a minted token) map to the same shape.
 */
interface Uploader {
  readonly username: string;
  readonly record: CredentialRecord;
}

const TEXT_HEADERS = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };

function answer(status: number, message: string, headers: Record<string, string> = {}): UploadResponse {
  return { status, headers: { ...TEXT_HEADERS, ...headers }, body: `${message}\n` };
}

/** The status of a refusal by the publishing core. */
const STATUS_OF_KIND: Readonly<Record<PublishingErrorKind, number>> = {
  invalid: 400,
  exists: 409,
  removed: 400,
  contention: 503,
};

export function createUploadHandler(config: UploadHandlerConfig, deps: UploadDependencies): UploadHandler {
  const problems = uploadHandlerConfigProblems(config);
  if (problems.length > 0) {
    throw new Error(`upload handler: invalid config:\n  - ${problems.join("\n  - ")}`);
  }
  const { realm, bodyLimitBytes } = config;
  // One key checker per handler (per container when deployed), like the edge's.
  const authenticate = createAuthenticator(deps.lookup);
  if (config.trustedPublishing !== undefined && deps.trustedPublishing === undefined) {
    throw new Error(
      "upload handler: config.trustedPublishing needs deps.trustedPublishing (the credentials table)",
    );
  }
  const answerOidc = createOidcRoutes(
    config.trustedPublishing,
    deps.trustedPublishing && { ...deps.trustedPublishing, log: deps.log },
    deps.now,
  );

  function refuse(status: number, reason: string, message: string, username?: string): UploadResponse {
    deps.log(denialLogLine({ status, reason, username }));
    if (status === 401) {
      return answer(status, message, { "www-authenticate": basicChallenge(realm) });
    }
    return answer(status, message, status === 405 ? { allow: LEGACY_UPLOAD_METHOD } : {});
  }

  function refuseCredentials(refusal: Refusal): UploadResponse {
    if (refusal.status === 503) {
      return refuse(
        503,
        refusal.reason,
        "the credentials could not be checked just now; try again",
        refusal.username,
      );
    }
    return refuse(
      401,
      refusal.reason,
      "missing or invalid credentials: give a publish key, its public key as the username and its secret key as the password",
      refusal.username,
    );
  }

  /** The uploader of the forwarded Authorization header, or the refusal to send. */
  async function authenticateUploader(request: UploadRequest): Promise<Uploader | UploadResponse> {
    const header = request.headers[FORWARDED_AUTHORIZATION_HEADER];
    // `PUBLIC:SECRET` or `__token__:PUBLIC.SECRET` (a key minted by trusted publishing): one lookup path.
    const auth = await authenticate(header === undefined ? undefined : [header], deps.now());
    if (!auth.ok) return refuseCredentials(auth);
    return { username: auth.username, record: auth.record };
  }

  async function decide(request: UploadRequest): Promise<UploadResponse> {
    const oidc = await answerOidc(request);
    if (oidc) return oidc;
    if (request.path !== LEGACY_UPLOAD_PATH) {
      return refuse(
        404,
        "no-such-route",
        `nothing to upload to here; the upload URL ends in ${LEGACY_UPLOAD_PATH}`,
      );
    }
    if (request.method !== LEGACY_UPLOAD_METHOD) {
      return refuse(
        405,
        "method-not-allowed",
        `${LEGACY_UPLOAD_PATH} takes uploads (${LEGACY_UPLOAD_METHOD}) only`,
      );
    }
    const declared = Number(request.headers["content-length"] ?? 0);
    if (request.body.length > bodyLimitBytes || declared > bodyLimitBytes) {
      return refuse(413, "body-too-large", uploadTooLargeMessage(bodyLimitBytes));
    }
    const uploader = await authenticateUploader(request);
    if (!("record" in uploader)) return uploader;
    const { username, record } = uploader;
    if (record.scope !== "publish") {
      return refuse(
        403,
        "read-only-key",
        "this key may read but not publish; create a publish key (keys create --scope publish)",
        username,
      );
    }
    if (record.channels !== undefined && !record.channels.includes(MAIN_CHANNEL)) {
      return refuse(
        403,
        "channel-not-allowed",
        `this key may not publish to the ${MAIN_CHANNEL} channel`,
        username,
      );
    }
    let upload: LegacyUpload;
    try {
      upload = readLegacyUpload(parseMultipartForm(request.body, request.headers["content-type"]));
    } catch (err) {
      if (err instanceof MultipartError) return refuse(400, "malformed-form", err.message, username);
      if (err instanceof FormFieldError) return refuse(400, "bad-field", err.message, username);
      if (err instanceof PublishingError) return refuse(400, "invalid-file", err.message, username);
      throw err;
    }
    if (!keyAllowsProject(record, upload.project)) {
      return refuse(
        403,
        "project-not-allowed",
        `this key may not publish the project ${upload.project}`,
        username,
      );
    }
    const location = indexLocation(record.tenant);
    try {
      const [result] = await publish(
        deps.store,
        location,
        [{ filename: upload.filename, bytes: upload.bytes }],
        {
          now: () => new Date(deps.now()),
          onWarning: (message) => deps.log(JSON.stringify({ event: "warning", message })),
        },
      );
      deps.log(
        JSON.stringify({
          event: "uploaded",
          status: result.status,
          tenant: record.tenant,
          filename: result.filename,
        }),
      );
      return answer(
        200,
        result.status === "published"
          ? `published ${result.filename}`
          : `${result.filename} was already published with these contents; nothing changed`,
      );
    } catch (err) {
      if (err instanceof PublishError) {
        const [result] = err.results;
        const kind = result.refusal ?? "invalid";
        return refuse(STATUS_OF_KIND[kind], `file-${kind}`, result.reason ?? err.message, username);
      }
      if (err instanceof PublishingError) {
        return refuse(STATUS_OF_KIND[err.kind], `file-${err.kind}`, err.message, username);
      }
      throw err;
    }
  }

  return async function handleUpload(request) {
    try {
      return await decide(request);
    } catch (error) {
      deps.log(denialLogLine({ status: 500, reason: "internal-error", detail: (error as Error)?.name }));
      return answer(500, "the upload failed on the server; try again");
    }
  };
}
