/**
 * Trusted publishing's two routes on the upload function: `GET /_/oidc/audience` and
 * `POST /_/oidc/mint-token`, answered with JSON by the core in `publishing/trustedPublishing.ts`.
 * Without a trusted-publishing config both answer 404 with PyPI's `not-enabled` code.
 */
import { OIDC_AUDIENCE_PATH, OIDC_AUDIENCE_PATTERN, OIDC_MINT_TOKEN_PATH } from "../domain/upload";
import { denialLogLine, publicKeyPrefix } from "../edge/log";
import {
  JsonAnswer,
  TrustedPublishingConfig,
  TrustedPublishingDependencies,
  createTrustedPublishing,
  refusal,
} from "../publishing/trustedPublishing";
import { UploadRequest, UploadResponse } from "./http";

/** The methods of the two routes (anything else: 405 with `Allow`). */
const ROUTE_METHODS: Readonly<Record<string, string>> = {
  [OIDC_AUDIENCE_PATH]: "GET",
  [OIDC_MINT_TOKEN_PATH]: "POST",
};

/** Why a trusted-publishing config cannot be used, as messages naming the field; empty when it can. */
export function trustedPublishingConfigProblems(config: TrustedPublishingConfig): string[] {
  const problems: string[] = [];
  const isIssuerUrl = (text: unknown) => {
    try {
      const url = new URL(String(text));
      const loopback = url.protocol === "http:" && url.hostname === "127.0.0.1";
      return (url.protocol === "https:" || loopback) && !url.search && !url.hash && !url.username;
    } catch {
      return false;
    }
  };
  if (!isIssuerUrl(config.issuer)) {
    problems.push(
      `trustedPublishing.issuer ${JSON.stringify(config.issuer)} must be an https:// URL (http:// only on 127.0.0.1, for a local stand-in)`,
    );
  }
  if (config.jwksUrl !== undefined && !isIssuerUrl(config.jwksUrl)) {
    problems.push(
      `trustedPublishing.jwksUrl ${JSON.stringify(config.jwksUrl)} must be an https:// URL (http:// only on 127.0.0.1, for a local stand-in)`,
    );
  }
  if (typeof config.audience !== "string" || !OIDC_AUDIENCE_PATTERN.test(config.audience)) {
    problems.push(
      `trustedPublishing.audience ${JSON.stringify(config.audience)} must be 1-255 printable ASCII characters without spaces (e.g. the index host)`,
    );
  }
  return problems;
}

function json(answer: JsonAnswer, headers: Record<string, string> = {}): UploadResponse {
  return {
    status: answer.status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(answer.body),
  };
}

export type OidcRoutes = (request: UploadRequest) => Promise<UploadResponse | undefined>;

/** The answer to a request for one of the two paths, undefined for any other path. */
export function createOidcRoutes(
  config: TrustedPublishingConfig | undefined,
  deps: (Omit<TrustedPublishingDependencies, "now"> & { readonly log: (line: string) => void }) | undefined,
  now: () => number,
): OidcRoutes {
  const core = config && deps ? createTrustedPublishing(config, { ...deps, now }) : undefined;
  const log = deps?.log ?? (() => undefined);

  function refused(answer: JsonAnswer, headers: Record<string, string> = {}): UploadResponse {
    const [error] = (answer.body.errors as { code: string }[] | undefined) ?? [];
    log(denialLogLine({ status: answer.status, reason: error?.code ?? "refused" }));
    return json(answer, headers);
  }

  return async function answerOidc(request) {
    const method = ROUTE_METHODS[request.path];
    if (method === undefined) return undefined;
    if (!core) {
      return refused(refusal(404, "not-enabled", "trusted publishing is not enabled on this index"));
    }
    if (request.method !== method) {
      return refused(refusal(405, "invalid-payload", `${request.path} takes ${method} only`), {
        allow: method,
      });
    }
    if (request.path === OIDC_AUDIENCE_PATH) return json(core.audience());
    let answer: JsonAnswer;
    try {
      answer = await core.mintToken(request.body);
    } catch (error) {
      // The credentials table failed (a publisher read, the token record, the key write).
      log(denialLogLine({ status: 503, reason: "mint-failed", detail: (error as Error)?.name }));
      return json(refusal(503, "unavailable", "the index could not mint a key just now; retry"));
    }
    if (answer.status !== 200) return refused(answer);
    const { tenant, publicKey, repository, jobWorkflowRef } = answer.minted!;
    const keyPrefix = publicKeyPrefix(publicKey);
    log(JSON.stringify({ event: "token-minted", tenant, keyPrefix, repository, jobWorkflowRef }));
    return json(answer);
  };
}
