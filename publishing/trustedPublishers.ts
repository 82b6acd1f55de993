/**
 * Trusted publishers in the credentials table (the item format is `domain/trustedPublishers.ts`):
 * add (the repository's numeric ids given, or looked up from the GitHub API), list and remove.
 * Every write is a compare-and-swap on the repository item's revision, so concurrent changes
 * never lose one another; bad input is refused before anything is read or written.
 */
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { PUBLIC_KEY_ATTRIBUTE } from "../domain/credentialRecords";
import {
  GITHUB_ENVIRONMENT_PATTERN,
  GITHUB_ID_PATTERN,
  githubRepositoryProblem,
  githubWorkflowProblem,
} from "../domain/github";
import { isValidProjectName, isValidTenant, normalizeProjectName } from "../domain/names";
import {
  REVISION_ATTRIBUTE,
  TRUSTED_PUBLISHER_KEY_PREFIX,
  TrustedPublisher,
  samePublisher,
  trustedPublisherKey,
  trustedPublishersFromItem,
  trustedPublishersToItem,
  usedTokenItem,
} from "../domain/trustedPublishers";
import { createKey } from "./customerKeys";
import { PublishingError } from "./errors";
import type { TrustedPublishingDependencies } from "./trustedPublishing";

/** GitHub's REST API; `GITHUB_API_URL` (set in GitHub Actions, e.g. on GitHub Enterprise) overrides it. */
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
/** Compare-and-swap attempts of one change before it gives up. */
const MAX_ATTEMPTS = 5;

export interface TrustedPublishersContext {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  /** Where repository ids are looked up. @default DEFAULT_GITHUB_API_URL */
  readonly githubApiUrl?: string;
  /** A GitHub token for the lookup (needed for a private repository). @default none */
  readonly githubToken?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface PublisherIdentity {
  readonly tenant: string;
  readonly repository: string;
  readonly workflow: string;
  readonly environment?: string;
  /** Picks the repository by id when its name matches publishers of several. */
  readonly repositoryId?: string;
}

export interface AddPublisherRequest extends PublisherIdentity {
  /** Any spelling; stored normalized. Omitted: every project of the tenant. */
  readonly projects?: readonly string[];
  /** GitHub's ids; both or neither (then looked up from the GitHub API). */
  readonly repositoryOwnerId?: string;
}

function validateIdentity(request: PublisherIdentity): void {
  if (!isValidTenant(request.tenant)) {
    throw new PublishingError(
      `invalid tenant "${request.tenant}": use 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit`,
    );
  }
  const repositoryProblem = githubRepositoryProblem(request.repository);
  if (repositoryProblem) throw new PublishingError(`invalid --repository: ${repositoryProblem}`);
  const workflowProblem = githubWorkflowProblem(request.workflow);
  if (workflowProblem) throw new PublishingError(`invalid --workflow: ${workflowProblem}`);
  if (request.environment !== undefined && !GITHUB_ENVIRONMENT_PATTERN.test(request.environment)) {
    throw new PublishingError(
      `invalid --environment "${request.environment}": a GitHub environment name is 1-255 letters, digits, ".", "_" or "-"`,
    );
  }
  if (request.repositoryId !== undefined && !GITHUB_ID_PATTERN.test(request.repositoryId)) {
    throw new PublishingError(
      `invalid --repository-id "${request.repositoryId}": GitHub's repository id is a positive whole number (the "id" of GET /repos/OWNER/NAME)`,
    );
  }
}

function validateAdd(request: AddPublisherRequest): void {
  validateIdentity(request);
  if (request.repositoryOwnerId !== undefined && !GITHUB_ID_PATTERN.test(request.repositoryOwnerId)) {
    throw new PublishingError(
      `invalid --owner-id "${request.repositoryOwnerId}": GitHub's owner id is a positive whole number (the "owner.id" of GET /repos/OWNER/NAME)`,
    );
  }
  if ((request.repositoryId === undefined) !== (request.repositoryOwnerId === undefined)) {
    throw new PublishingError(
      "give both --repository-id and --owner-id, or neither (then they are looked up from the GitHub API)",
    );
  }
  for (const project of request.projects ?? []) {
    if (!isValidProjectName(project)) {
      throw new PublishingError(
        `invalid project "${project}" in --projects: use Python project names (letters, digits, ".", "_", "-", starting and ending with a letter or digit), e.g. --projects demo,other-lib`,
      );
    }
  }
}

/** The repository's ids from the GitHub API (`GET /repos/{owner}/{name}`). */
async function lookUpRepositoryIds(
  ctx: TrustedPublishersContext,
  repository: string,
): Promise<{ repositoryId: string; repositoryOwnerId: string }> {
  const base = (ctx.githubApiUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");
  const url = `${base}/repos/${repository}`;
  const fallback = "or pass --repository-id and --owner-id";
  let response: Response;
  try {
    response = await (ctx.fetch ?? fetch)(url, {
      headers: {
        accept: "application/vnd.github+json",
        ...(ctx.githubToken ? { authorization: `Bearer ${ctx.githubToken}` } : {}),
      },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new PublishingError(
      `could not look up ${repository} at ${url}: ${(err as Error).message}; retry, ${fallback}`,
    );
  }
  if (response.status === 404) {
    throw new PublishingError(
      `GitHub has no repository ${repository} at ${url} (a private one needs GITHUB_TOKEN); check the name, ${fallback}`,
    );
  }
  if (!response.ok) {
    throw new PublishingError(`GitHub answered ${response.status} for ${url}; retry, ${fallback}`);
  }
  const body = (await response.json().catch(() => undefined)) as
    { id?: unknown; full_name?: unknown; owner?: { id?: unknown } } | undefined;
  const repositoryId = String(body?.id ?? "");
  const repositoryOwnerId = String(body?.owner?.id ?? "");
  if (!GITHUB_ID_PATTERN.test(repositoryId) || !GITHUB_ID_PATTERN.test(repositoryOwnerId)) {
    throw new PublishingError(`GitHub's answer for ${url} has no repository and owner id; ${fallback}`);
  }
  // The API follows a renamed repository to its new name: trust the name the token will carry.
  if (typeof body?.full_name === "string" && body.full_name.toLowerCase() !== repository.toLowerCase()) {
    throw new PublishingError(
      `${repository} was renamed to ${body.full_name}: use --repository ${body.full_name}`,
    );
  }
  return { repositoryId, repositoryOwnerId };
}

async function readRepository(
  ctx: Pick<TrustedPublishersContext, "dynamodb" | "table">,
  repositoryId: string,
): Promise<{ publishers: readonly TrustedPublisher[]; revision: number } | undefined> {
  const out = await ctx.dynamodb.send(
    new GetItemCommand({
      TableName: ctx.table,
      Key: trustedPublisherKey(repositoryId) as Record<string, AttributeValue>,
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const stored = trustedPublishersFromItem(out.Item, repositoryId);
  if (!stored) {
    throw new PublishingError(
      `the stored trusted publishers of repository id ${repositoryId} are malformed; delete the item ${TRUSTED_PUBLISHER_KEY_PREFIX}${repositoryId} from table ${ctx.table} and add them again`,
    );
  }
  return stored;
}

/** The publishers stored for a repository id, none when it has no item (the mint endpoint's read). */
export async function findTrustedPublishers(
  ctx: Pick<TrustedPublishersContext, "dynamodb" | "table">,
  repositoryId: string,
): Promise<readonly TrustedPublisher[]> {
  return (await readRepository(ctx, repositoryId))?.publishers ?? [];
}

/**
 * The credentials-table half of trusted publishing's dependencies: publishers by repository id,
 * and minted keys written like any key (`createKey`: hashed secret, expiry, TTL attribute).
 */
export function trustedPublishingStore(ctx: {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly now?: () => Date;
}): Pick<TrustedPublishingDependencies, "claimToken" | "findPublishers" | "mintKey"> {
  return {
    async claimToken(issuer, tokenId, expiresAt) {
      try {
        await ctx.dynamodb.send(
          new PutItemCommand({
            TableName: ctx.table,
            Item: usedTokenItem(issuer, tokenId, expiresAt) as Record<string, AttributeValue>,
            ConditionExpression: `attribute_not_exists(${PUBLIC_KEY_ATTRIBUTE})`,
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },
    findPublishers: (repositoryId) => findTrustedPublishers(ctx, repositoryId),
    mintKey: (request) => createKey(ctx, request),
  };
}

/**
 * Rewrites one repository's item with `change` (given its current publishers) under a
 * compare-and-swap on the revision, re-reading and retrying when another writer got there first.
 */
async function changeRepository<T>(
  ctx: TrustedPublishersContext,
  repositoryId: string,
  change: (current: readonly TrustedPublisher[]) => { publishers: readonly TrustedPublisher[]; result: T },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await readRepository(ctx, repositoryId);
    const { publishers, result } = change(current?.publishers ?? []);
    const condition = current
      ? {
          ConditionExpression: `#revision = :revision`,
          ExpressionAttributeNames: { "#revision": REVISION_ATTRIBUTE },
          ExpressionAttributeValues: { ":revision": { N: String(current.revision) } },
        }
      : { ConditionExpression: `attribute_not_exists(${PUBLIC_KEY_ATTRIBUTE})` };
    try {
      if (publishers.length === 0) {
        await ctx.dynamodb.send(
          new DeleteItemCommand({
            TableName: ctx.table,
            Key: trustedPublisherKey(repositoryId) as Record<string, AttributeValue>,
            ...condition,
          }),
        );
      } else {
        const item = trustedPublishersToItem(repositoryId, publishers, (current?.revision ?? 0) + 1);
        await ctx.dynamodb.send(
          new PutItemCommand({
            TableName: ctx.table,
            Item: item as Record<string, AttributeValue>,
            ...condition,
          }),
        );
      }
      return result;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/** Adds a publisher, or replaces the same one (tenant, repository, workflow, environment). */
export async function addTrustedPublisher(
  ctx: TrustedPublishersContext,
  request: AddPublisherRequest,
): Promise<{ readonly publisher: TrustedPublisher; readonly replaced: boolean }> {
  validateAdd(request);
  const ids =
    request.repositoryId !== undefined && request.repositoryOwnerId !== undefined
      ? { repositoryId: request.repositoryId, repositoryOwnerId: request.repositoryOwnerId }
      : await lookUpRepositoryIds(ctx, request.repository);
  const projects = [...new Set((request.projects ?? []).map(normalizeProjectName))].sort();
  const publisher: TrustedPublisher = {
    tenant: request.tenant,
    repository: request.repository,
    ...ids,
    workflow: request.workflow,
    ...(request.environment !== undefined ? { environment: request.environment } : {}),
    ...(projects.length > 0 ? { projects } : {}),
  };
  return changeRepository(ctx, ids.repositoryId, (current) => {
    const other = current.find((p) => p.tenant !== publisher.tenant);
    if (other) {
      throw new PublishingError(
        `${other.repository} (id ${ids.repositoryId}) already publishes to tenant ${other.tenant}: a repository publishes to one tenant; remove its publishers there first (trusted-publishers list --tenant ${other.tenant})`,
      );
    }
    const owner = current.find((p) => p.repositoryOwnerId !== publisher.repositoryOwnerId);
    if (owner) {
      throw new PublishingError(
        `repository id ${ids.repositoryId} is stored with owner id ${owner.repositoryOwnerId}, not ${publisher.repositoryOwnerId}: check --owner-id`,
      );
    }
    const kept = current.filter((p) => !samePublisher(p, publisher));
    return {
      publishers: [...kept, publisher],
      result: { publisher, replaced: kept.length < current.length },
    };
  });
}

/** Every stored publisher (of one tenant), sorted by tenant, repository, workflow, environment. */
export async function listTrustedPublishers(
  ctx: TrustedPublishersContext,
  options: { readonly tenant?: string } = {},
): Promise<TrustedPublisher[]> {
  if (options.tenant !== undefined && !isValidTenant(options.tenant)) {
    throw new PublishingError(`invalid tenant "${options.tenant}": use lowercase letters, digits and dashes`);
  }
  const publishers: TrustedPublisher[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.dynamodb.send(
      new ScanCommand({
        TableName: ctx.table,
        FilterExpression: "begins_with(#key, :prefix)",
        ExpressionAttributeNames: { "#key": PUBLIC_KEY_ATTRIBUTE },
        ExpressionAttributeValues: { ":prefix": { S: TRUSTED_PUBLISHER_KEY_PREFIX } },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const id = (item[PUBLIC_KEY_ATTRIBUTE]?.S ?? "").slice(TRUSTED_PUBLISHER_KEY_PREFIX.length);
      const stored = trustedPublishersFromItem(item, id);
      if (!stored) {
        throw new PublishingError(
          `the stored trusted publishers of repository id ${id} are malformed; delete the item ${TRUSTED_PUBLISHER_KEY_PREFIX}${id} from table ${ctx.table} and add them again`,
        );
      }
      publishers.push(...stored.publishers);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const key = (p: TrustedPublisher) =>
    [p.tenant, p.repository.toLowerCase(), p.workflow, p.environment ?? ""].join("\u0000");
  return publishers
    .filter((p) => options.tenant === undefined || p.tenant === options.tenant)
    .sort((a, b) => key(a).localeCompare(key(b)));
}

/** Removes one publisher; its repository's item goes with its last publisher. */
export async function removeTrustedPublisher(
  ctx: TrustedPublishersContext,
  identity: PublisherIdentity,
): Promise<TrustedPublisher> {
  validateIdentity(identity);
  const matches = (p: TrustedPublisher) =>
    p.tenant === identity.tenant &&
    p.repository.toLowerCase() === identity.repository.toLowerCase() &&
    p.workflow === identity.workflow &&
    (p.environment ?? "").toLowerCase() === (identity.environment ?? "").toLowerCase() &&
    (identity.repositoryId === undefined || p.repositoryId === identity.repositoryId);
  const found = (await listTrustedPublishers(ctx, { tenant: identity.tenant })).filter(matches);
  const describe = `${identity.repository} ${identity.workflow}${identity.environment ? ` environment ${identity.environment}` : ""}`;
  if (found.length === 0) {
    throw new PublishingError(
      `tenant ${identity.tenant} has no trusted publisher ${describe}; see \`trusted-publishers list --tenant ${identity.tenant}\``,
    );
  }
  if (found.length > 1) {
    throw new PublishingError(
      `${describe} names publishers of several repositories (ids ${found.map((p) => p.repositoryId).join(", ")}): pick one with --repository-id`,
    );
  }
  const target = found[0];
  return changeRepository(ctx, target.repositoryId, (current) => {
    const kept = current.filter((p) => !samePublisher(p, target));
    if (kept.length === current.length) {
      throw new PublishingError(
        `trusted publisher ${describe} of tenant ${identity.tenant} was removed meanwhile`,
      );
    }
    return { publishers: kept, result: target };
  });
}
