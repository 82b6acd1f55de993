/**
 * Trusted publishing, the HTTP-free core of `GET /_/oidc/audience` and `POST /_/oidc/mint-token`
 * as uv and twine call them: verify a GitHub Actions OIDC token (jose: RS256 against the issuer's
 * JWKS, issuer, audience, exp/nbf, an iat neither in the future nor older than
 * MAX_TOKEN_AGE_SECONDS), find the trusted publishers of its `repository_id`, match
 * `repository`, `repository_owner_id`, `job_workflow_ref` and `environment`, and mint a publish key
 * for that tenant and those projects that expires within MINTED_KEY_LIFETIME_SECONDS.
 *
 * Every refusal is PyPI's shape, `{"message": ..., "errors": [{"code": ..., "description": ...}]}`
 * with status 422 (what PyPI answers; uv prints the body with the token's claims, twine prints
 * each `code`: `description`). A description names the claim that failed, never a tenant or the
 * configured values.
 */
import { JWTPayload, JWTVerifyGetKey, createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { KeyScope } from "../domain/credentialRecords";
import { GITHUB_WORKFLOWS_DIRECTORY } from "../domain/github";
import { keyToken } from "../domain/keyScheme";
import { MINTED_KEY_LIFETIME_SECONDS, TrustedPublisher } from "../domain/trustedPublishers";

/** What a mint request body may weigh: a GitHub token is about 1-2 KB. */
export const MINT_REQUEST_MAX_BYTES = 16 * 1024;
/** Leeway on exp/nbf/iat for clocks that disagree a little. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * The oldest token (by `iat`, beyond the leeway) exchanged, whatever its `exp`: GitHub's tokens
 * live minutes, and a job exchanges its token as soon as it gets it.
 */
export const MAX_TOKEN_AGE_SECONDS = 15 * 60;
/** The issuer's signing keys are kept this long, and refetched for an unknown key id at most this often. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
export const JWKS_FETCH_TIMEOUT_MS = 3_000;
const MINTED_DESCRIPTION_MAX = 200;

/** Plain data, captured at deploy time (or given by the sandbox). */
export interface TrustedPublishingConfig {
  /** The token issuer, exactly: GITHUB_OIDC_URL when deployed, a loopback stand-in in tests. */
  readonly issuer: string;
  /** The audience `GET /_/oidc/audience` announces and tokens must carry. */
  readonly audience: string;
  /** The issuer's JWKS. @default `${issuer}/.well-known/jwks` (GitHub's jwks_uri) */
  readonly jwksUrl?: string;
}

/** A key to mint (the credentials-table write is the caller's: `createKey`). */
export interface MintKeyRequest {
  readonly tenant: string;
  readonly scope: KeyScope;
  readonly projects?: readonly string[];
  readonly expiresIn: string;
  readonly description: string;
}

export interface TrustedPublishingDependencies {
  /** The issuer's keys. @default a remote JWKS set of `config.jwksUrl`, cached as above */
  readonly keys?: JWTVerifyGetKey;
  /**
   * Records that a token (its issuer and `jti`, until its `exp`) was exchanged; false when it
   * already was.
   */
  claimToken(issuer: string, tokenId: string, expiresAt: number): Promise<boolean>;
  /** The publishers stored for a repository id (empty when none). */
  findPublishers(repositoryId: string): Promise<readonly TrustedPublisher[]>;
  /** Stores a new key and returns its pair and expiry (ISO 8601), as `createKey` does. */
  mintKey(
    request: MintKeyRequest,
  ): Promise<{ readonly publicKey: string; readonly secretKey: string; readonly expiresAt?: string }>;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** A JSON answer, for any adapter to send. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** For the log of a minted key: who got it (never the secret). */
  readonly minted?: {
    readonly tenant: string;
    readonly publicKey: string;
    readonly repository: string;
    readonly jobWorkflowRef: string;
  };
}

/** The refusal codes: PyPI's (`invalid-payload`, `invalid-token`, `invalid-publisher`) and finer ones. */
export type RefusalCode =
  | "not-enabled"
  | "invalid-payload"
  | "invalid-token"
  | "unknown-issuer"
  | "wrong-audience"
  | "expired-token"
  | "invalid-publisher"
  | "invalid-reuse-token"
  | "jwks-unavailable"
  | "unavailable";

export function refusal(status: number, code: RefusalCode, description: string): JsonAnswer {
  return { status, body: { message: "Token request failed", errors: [{ code, description }] } };
}

const refused = (code: RefusalCode, description: string) => refusal(422, code, description);

/** The claims a GitHub Actions token carries that publishing depends on. */
interface GithubClaims {
  readonly tokenId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly repository: string;
  readonly repositoryId: string;
  readonly repositoryOwnerId: string;
  readonly jobWorkflowRef: string;
  readonly environment?: string;
}

function githubClaims(payload: JWTPayload): GithubClaims | string {
  const text = (name: string) => (typeof payload[name] === "string" ? (payload[name] as string) : undefined);
  const required = ["jti", "repository", "repository_id", "repository_owner_id", "job_workflow_ref"];
  const missing = required.filter((name) => !text(name));
  if (missing.length > 0)
    return `the token has no ${missing.join(", ")} claim: it is not a GitHub Actions token`;
  const environment = text("environment");
  return {
    tokenId: text("jti")!,
    expiresAt: payload.exp!,
    repository: text("repository")!,
    repositoryId: text("repository_id")!,
    repositoryOwnerId: text("repository_owner_id")!,
    jobWorkflowRef: text("job_workflow_ref")!,
    ...(environment !== undefined ? { environment } : {}),
  };
}

/** `owner/name/.github/workflows/<file>@<ref>` → its parts, or undefined. */
function parseJobWorkflowRef(ref: string): { repository: string; workflow: string; ref: string } | undefined {
  const match = /^([^/]+\/[^/]+)\/\.github\/workflows\/([^/@]+)@(.+)$/.exec(ref);
  return match ? { repository: match[1], workflow: match[2], ref: match[3] } : undefined;
}

/** A jose failure as the refusal it means. */
function verificationRefusal(error: unknown): JsonAnswer {
  const { code, claim, message } = error as { code?: string; claim?: string; message?: string };
  switch (code) {
    case "ERR_JWT_EXPIRED":
      if (claim === "iat")
        return refused(
          "expired-token",
          `the token was issued more than ${MAX_TOKEN_AGE_SECONDS / 60} minutes ago (iat)`,
        );
      return refused("expired-token", "the token has expired (exp)");
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "aud")
        return refused(
          "wrong-audience",
          "the token's audience (aud) is not this index's: request it for the audience GET /_/oidc/audience announces",
        );
      if (claim === "iss") return refused("unknown-issuer", "the token's issuer (iss) is not trusted");
      if (claim === "nbf" || claim === "iat")
        return refused("expired-token", `the token is not valid yet (${claim})`);
      return refused("invalid-token", `the token's ${claim ?? "claims"} claim is invalid`);
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return refused("invalid-token", "the token's signature does not verify against the issuer's keys");
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return refused("invalid-token", "the token is not signed with a key of the issuer");
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return refused("invalid-token", "the token is not signed with RS256");
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JOSE_NOT_SUPPORTED":
    case "ERR_JWK_INVALID":
      return refused("invalid-token", "the token is not a well-formed signed JWT");
    default:
      // The JWKS could not be fetched or read (ERR_JWKS_TIMEOUT, ERR_JWKS_INVALID, a network error).
      return refusal(
        503,
        "jwks-unavailable",
        `the issuer's keys could not be fetched; retry (${code ?? message ?? "error"})`,
      );
  }
}

/** The publishers a verified token matches, or why none does. */
function matchingPublishers(
  publishers: readonly TrustedPublisher[],
  claims: GithubClaims,
): readonly TrustedPublisher[] | string {
  const who = `repository ${claims.repository} (repository_id ${claims.repositoryId})`;
  if (publishers.length === 0) return `no trusted publisher is configured for ${who}`;
  const sameRepository = publishers.filter(
    (p) => p.repository.toLowerCase() === claims.repository.toLowerCase(),
  );
  if (sameRepository.length === 0)
    return `the repository claim ${claims.repository} does not match the trusted publisher of repository_id ${claims.repositoryId}`;
  const sameOwner = sameRepository.filter((p) => p.repositoryOwnerId === claims.repositoryOwnerId);
  if (sameOwner.length === 0)
    return `the repository_owner_id ${claims.repositoryOwnerId} does not match the trusted publisher of ${who}`;
  const job = parseJobWorkflowRef(claims.jobWorkflowRef);
  if (!job || job.repository.toLowerCase() !== claims.repository.toLowerCase()) {
    return `the job_workflow_ref ${claims.jobWorkflowRef} is not a workflow in ${GITHUB_WORKFLOWS_DIRECTORY}/ of ${claims.repository} (reusable workflows of other repositories are not trusted)`;
  }
  const sameWorkflow = sameOwner.filter((p) => p.workflow === job.workflow);
  if (sameWorkflow.length === 0)
    return `the workflow ${job.workflow} (job_workflow_ref) is not a trusted publisher of ${who}`;
  const environment = claims.environment?.toLowerCase();
  const sameEnvironment = sameWorkflow.filter(
    (p) => p.environment === undefined || p.environment.toLowerCase() === environment,
  );
  if (sameEnvironment.length === 0) {
    return claims.environment === undefined
      ? `the workflow ${job.workflow} of ${claims.repository} may publish only from a GitHub environment: the job names none (environment claim)`
      : `the environment ${claims.environment} is not trusted for the workflow ${job.workflow} of ${claims.repository}`;
  }
  return sameEnvironment;
}

/** `text` with each control character replaced by `?` (a key's description holds none). */
function printable(text: string): string {
  return [...text].map((c) => (c < " " || c === "\u007f" ? "?" : c)).join("");
}

/** The projects a key for these publishers may publish: undefined (all) if any of them allows all. */
function unionOfProjects(publishers: readonly TrustedPublisher[]): readonly string[] | undefined {
  if (publishers.some((p) => p.projects === undefined)) return undefined;
  return [...new Set(publishers.flatMap((p) => p.projects ?? []))].sort();
}

export interface TrustedPublishing {
  /** `GET /_/oidc/audience`. */
  audience(): JsonAnswer;
  /** `POST /_/oidc/mint-token` with its body. */
  mintToken(body: Uint8Array): Promise<JsonAnswer>;
}

export function createTrustedPublishing(
  config: TrustedPublishingConfig,
  deps: TrustedPublishingDependencies,
): TrustedPublishing {
  const keys =
    deps.keys ??
    createRemoteJWKSet(new URL(config.jwksUrl ?? `${config.issuer.replace(/\/+$/, "")}/.well-known/jwks`), {
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      timeoutDuration: JWKS_FETCH_TIMEOUT_MS,
    });

  async function verify(token: string): Promise<GithubClaims | JsonAnswer> {
    // The issuer is read before any key is fetched, so a token of another issuer is named as such
    // and never costs a JWKS fetch; jwtVerify below checks it again, signed.
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      return refused("invalid-token", "the token is not a well-formed signed JWT");
    }
    if (unverified.iss !== config.issuer) {
      return refused(
        "unknown-issuer",
        `the token's issuer (iss) ${JSON.stringify(unverified.iss ?? null)} is not trusted`,
      );
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ["RS256"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "iat"],
        // Also refuses an iat in the future, beyond the leeway.
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        currentDate: new Date(deps.now()),
      }));
    } catch (error) {
      return verificationRefusal(error);
    }
    const claims = githubClaims(payload);
    return typeof claims === "string" ? refused("invalid-token", claims) : claims;
  }

  return {
    audience: () => ({ status: 200, body: { audience: config.audience } }),

    async mintToken(body) {
      if (body.byteLength > MINT_REQUEST_MAX_BYTES) {
        return refusal(
          413,
          "invalid-payload",
          `the request body is larger than ${MINT_REQUEST_MAX_BYTES} bytes`,
        );
      }
      let token: unknown;
      try {
        token = (JSON.parse(Buffer.from(body).toString("utf8")) as { token?: unknown } | null)?.token;
      } catch {
        token = undefined;
      }
      if (typeof token !== "string" || token === "") {
        return refused("invalid-payload", 'the body must be the JSON object {"token": "<OIDC token>"}');
      }
      const verified = await verify(token);
      if ("status" in verified) return verified;
      const matched = matchingPublishers(await deps.findPublishers(verified.repositoryId), verified);
      if (typeof matched === "string") return refused("invalid-publisher", matched);
      const tenants = new Set(matched.map((p) => p.tenant));
      if (tenants.size !== 1)
        return refused(
          "invalid-publisher",
          `the token matches trusted publishers of ${tenants.size} tenants`,
        );
      // One token, one key: a token seen in a job's log cannot mint another one.
      if (!(await deps.claimToken(config.issuer, verified.tokenId, verified.expiresAt))) {
        return refused(
          "invalid-reuse-token",
          "this token was already exchanged for a key: request a new one",
        );
      }
      const projects = unionOfProjects(matched);
      const job = parseJobWorkflowRef(verified.jobWorkflowRef)!;
      const key = await deps.mintKey({
        tenant: matched[0].tenant,
        scope: "publish",
        ...(projects ? { projects } : {}),
        expiresIn: `${MINTED_KEY_LIFETIME_SECONDS / 60}m`,
        description: printable(`trusted publishing: ${verified.repository} ${job.workflow}@${job.ref}`).slice(
          0,
          MINTED_DESCRIPTION_MAX,
        ),
      });
      // twine reads `expires` (epoch seconds) to renew a token before it lapses.
      const expires = Math.floor(Date.parse(key.expiresAt ?? "") / 1000);
      return {
        status: 200,
        body: {
          success: true,
          token: keyToken(key.publicKey, key.secretKey),
          ...(expires > 0 ? { expires } : {}),
        },
        minted: {
          tenant: matched[0].tenant,
          publicKey: key.publicKey,
          repository: verified.repository,
          jobWorkflowRef: verified.jobWorkflowRef,
        },
      };
    },
  };
}
