/**
 * Trusted publishers: which GitHub Actions workflows may mint a short-lived publish key for a
 * tenant (trusted publishing), and how they are stored in the credentials table. Shared by the
 * administration (`publishing/trustedPublishers.ts`, write) and the mint endpoint (read). Pure.
 *
 * Storage: one item per GitHub repository, under the table's partition key
 * `github-repository:<repository_id>`, holding every publisher of that repository as JSON. The
 * mint endpoint knows no tenant before it has verified a token (uv and twine send the token
 * alone), only the token's `repository_id`: one consistent GetItem by that id finds every
 * publisher the token could match. The value can never be a public key (`ppi_…`), so the edge never
 * looks it up, and the item has no `tenant` attribute, so the tenant index never lists it as a key.
 */
import * as crypto from "crypto";
import {
  CredentialItem,
  EXPIRES_AT_ATTRIBUTE,
  PUBLIC_KEY_ATTRIBUTE,
  isNormalizedProjectName,
} from "./credentialRecords";
import {
  GITHUB_ENVIRONMENT_PATTERN,
  GITHUB_ID_PATTERN,
  githubRepositoryProblem,
  githubWorkflowProblem,
} from "./github";
import { isValidTenant } from "./names";

/** The partition-key prefix of trusted-publisher items; the rest is the repository's numeric id. */
export const TRUSTED_PUBLISHER_KEY_PREFIX = "github-repository:";
/** The attribute holding the JSON array of the repository's publishers. */
export const PUBLISHERS_ATTRIBUTE = "trustedPublishers";
/** A number incremented by every write of the item: the compare-and-swap condition. */
export const REVISION_ATTRIBUTE = "revision";

/**
 * How long a key minted by trusted publishing lives: PyPI's 15 minutes, which twine also assumes
 * (it renews a token after 10). Long enough for one job's uploads, short enough that a leaked one
 * soon stops working.
 */
export const MINTED_KEY_LIFETIME_SECONDS = 900;

/** One trusted publisher: a workflow of a repository that may publish to a tenant. */
export interface TrustedPublisher {
  readonly tenant: string;
  /** `owner/name` as GitHub spells it (compared case-insensitively, like GitHub does). */
  readonly repository: string;
  /** GitHub's numeric ids, as the token's claims carry them (decimal strings). */
  readonly repositoryId: string;
  readonly repositoryOwnerId: string;
  /** The workflow's file name in `.github/workflows/`, e.g. `release.yml`. */
  readonly workflow: string;
  /** The GitHub environment the job must name; undefined means any (or none). */
  readonly environment?: string;
  /** Projects (PEP 503 normalized) the minted key may publish; undefined means all of the tenant's. */
  readonly projects?: readonly string[];
}

/**
 * The item that marks an OIDC token as exchanged (one token, one key, as on PyPI): its partition
 * key is the SHA-256 of the issuer and the token's `jti`, and it expires with the token (the
 * table's time-to-live then deletes it).
 */
export const USED_TOKEN_KEY_PREFIX = "used-oidc-token:";

export function usedTokenItem(issuer: string, tokenId: string, expiresAt: number): CredentialItem {
  const digest = crypto.createHash("sha256").update(`${issuer}\n${tokenId}`, "utf8").digest("hex");
  return {
    [PUBLIC_KEY_ATTRIBUTE]: { S: USED_TOKEN_KEY_PREFIX + digest },
    [EXPIRES_AT_ATTRIBUTE]: { N: String(expiresAt) },
  };
}

export function trustedPublisherKey(repositoryId: string): CredentialItem {
  return { [PUBLIC_KEY_ATTRIBUTE]: { S: TRUSTED_PUBLISHER_KEY_PREFIX + repositoryId } };
}

/** Two entries are the same publisher (adding one replaces the other) when these agree. */
export function samePublisher(a: TrustedPublisher, b: TrustedPublisher): boolean {
  return (
    a.tenant === b.tenant &&
    a.repositoryId === b.repositoryId &&
    a.workflow === b.workflow &&
    (a.environment ?? "").toLowerCase() === (b.environment ?? "").toLowerCase()
  );
}

/** Why an entry is not a well-formed publisher, or undefined. */
export function trustedPublisherProblem(publisher: TrustedPublisher): string | undefined {
  if (!isValidTenant(publisher.tenant)) return `invalid tenant ${JSON.stringify(publisher.tenant)}`;
  const problem = githubRepositoryProblem(publisher.repository) ?? githubWorkflowProblem(publisher.workflow);
  if (problem) return problem;
  for (const [name, id] of [
    ["repository id", publisher.repositoryId],
    ["owner id", publisher.repositoryOwnerId],
  ]) {
    if (typeof id !== "string" || !GITHUB_ID_PATTERN.test(id)) {
      return `the ${name} ${JSON.stringify(id)} is not a GitHub id (a positive whole number)`;
    }
  }
  if (publisher.environment !== undefined && !GITHUB_ENVIRONMENT_PATTERN.test(publisher.environment)) {
    return `${JSON.stringify(publisher.environment)} is not a GitHub environment name (1-255 letters, digits, ".", "_" or "-")`;
  }
  if (
    publisher.projects !== undefined &&
    (publisher.projects.length === 0 || !publisher.projects.every(isNormalizedProjectName))
  ) {
    return `the projects ${JSON.stringify(publisher.projects)} are not a non-empty list of normalized project names`;
  }
  return undefined;
}

/** The stored form of one repository's publishers (an item of the credentials table). */
export function trustedPublishersToItem(
  repositoryId: string,
  publishers: readonly TrustedPublisher[],
  revision: number,
): CredentialItem {
  return {
    ...trustedPublisherKey(repositoryId),
    [PUBLISHERS_ATTRIBUTE]: { S: JSON.stringify(publishers) },
    [REVISION_ATTRIBUTE]: { N: String(revision) },
  };
}

function publisherFromJson(value: unknown): TrustedPublisher | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ["tenant", "repository", "repositoryId", "repositoryOwnerId", "workflow"] as const;
  if (!strings.every((name) => typeof v[name] === "string")) return undefined;
  if (v.environment !== undefined && typeof v.environment !== "string") return undefined;
  if (
    v.projects !== undefined &&
    !(Array.isArray(v.projects) && v.projects.every((p) => typeof p === "string"))
  )
    return undefined;
  const publisher: TrustedPublisher = {
    tenant: v.tenant as string,
    repository: v.repository as string,
    repositoryId: v.repositoryId as string,
    repositoryOwnerId: v.repositoryOwnerId as string,
    workflow: v.workflow as string,
    ...(v.environment !== undefined ? { environment: v.environment as string } : {}),
    ...(v.projects !== undefined ? { projects: v.projects as string[] } : {}),
  };
  return trustedPublisherProblem(publisher) === undefined ? publisher : undefined;
}

/**
 * Reads a repository's item: its publishers and revision, or undefined when the item is not a
 * well-formed one of `repositoryId` (fail closed: a corrupt entry never widens into a match).
 */
export function trustedPublishersFromItem(
  item: CredentialItem,
  repositoryId: string,
): { readonly publishers: readonly TrustedPublisher[]; readonly revision: number } | undefined {
  if (item[PUBLIC_KEY_ATTRIBUTE]?.S !== TRUSTED_PUBLISHER_KEY_PREFIX + repositoryId) return undefined;
  const revision = Number(item[REVISION_ATTRIBUTE]?.N);
  const text = item[PUBLISHERS_ATTRIBUTE]?.S;
  if (!Number.isSafeInteger(revision) || text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const publishers = parsed.map(publisherFromJson);
  if (!publishers.every((p): p is TrustedPublisher => p !== undefined && p.repositoryId === repositoryId))
    return undefined;
  return { publishers, revision };
}
