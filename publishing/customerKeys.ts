/**
 * Customer keys in the credentials table: create (the secret is returned once and stored only as
 * a salted hash, by the scheme in `domain/keyScheme.ts`), list (never a secret or a hash), revoke
 * and rotate.
 */
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CredentialRecord,
  DEFAULT_KEY_SCOPE,
  KEY_SCOPES,
  KeyScope,
  PROJECTS_ATTRIBUTE,
  PUBLIC_KEY_ATTRIBUTE,
  SCOPE_ATTRIBUTE,
  TENANT_ATTRIBUTE,
  TENANT_INDEX_NAME,
  credentialFromItem,
  credentialKey,
  credentialToItem,
  isKeyScope,
} from "../domain/credentialRecords";
import { HASH_SCHEME, PUBLIC_KEY_PATTERN, PUBLIC_KEY_PREFIX, generateKey } from "../domain/keyScheme";
import { isValidChannel, isValidProjectName, isValidTenant, normalizeProjectName } from "../domain/names";
import { PublishingError } from "./errors";

const MAX_DESCRIPTION_LENGTH = 200;

export interface KeysContext {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly now?: () => Date;
}

export interface NewKeyRequest {
  readonly tenant: string;
  /** Channels the key may read; omitted or empty means every channel of the tenant. */
  readonly channels?: readonly string[];
  /** `read` (pages and files) or `publish` (implies read); omitted means `read`. */
  readonly scope?: string;
  /** Projects the key may read (and publish); any spelling, stored normalized. Omitted or empty: all. */
  readonly projects?: readonly string[];
  /** Lifetime such as `90d`, `12h`, `30m`; omitted means no expiry. */
  readonly expiresIn?: string;
  readonly description?: string;
}

/** A key as listed: everything but the salt and the hash. */
export interface KeySummary {
  readonly publicKey: string;
  readonly tenant: string;
  readonly channels?: readonly string[];
  readonly scope: KeyScope;
  /** Normalized project names; absent means every project of the tenant. */
  readonly projects?: readonly string[];
  readonly description?: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly status: "active" | "expired" | "revoked";
}

/** A new key: the only object that ever holds the secret. */
export interface CreatedKey extends KeySummary {
  readonly secretKey: string;
}

const DURATION_UNITS: Record<string, number> = { d: 86_400, h: 3_600, m: 60 };

/** `90d`, `12h`, `30m` → seconds. */
export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]{0,5})([dhm])$/.exec(text);
  if (!match)
    throw new PublishingError(
      `invalid --expires-in "${text}": use a whole number of days, hours or minutes, e.g. 90d, 12h, 30m`,
    );
  return Number(match[1]) * DURATION_UNITS[match[2]];
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

function validateRequest(request: NewKeyRequest): void {
  if (!isValidTenant(request.tenant)) {
    throw new PublishingError(
      `invalid tenant "${request.tenant}": use 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit`,
    );
  }
  for (const channel of request.channels ?? []) {
    if (!isValidChannel(channel)) {
      throw new PublishingError(
        `invalid channel "${channel}" in --channels: use lowercase letters, digits and dashes (e.g. main,feature-x)`,
      );
    }
  }
  if (request.scope !== undefined && !isKeyScope(request.scope)) {
    throw new PublishingError(
      `invalid --scope "${request.scope}": use ${KEY_SCOPES.join(" or ")} (publish can upload and implies read)`,
    );
  }
  for (const project of request.projects ?? []) {
    if (!isValidProjectName(project)) {
      throw new PublishingError(
        `invalid project "${project}" in --projects: use Python project names (letters, digits, ".", "_", "-", starting and ending with a letter or digit), e.g. --projects demo,other-lib`,
      );
    }
  }
  const description = request.description;
  if (
    description !== undefined &&
    (description.length > MAX_DESCRIPTION_LENGTH || [...description].some((c) => c < " " || c === "\u007f"))
  ) {
    throw new PublishingError(
      `--description must be at most ${MAX_DESCRIPTION_LENGTH} characters without control characters`,
    );
  }
}

/** Reads the listable fields of an item; the salt and hash are never read into a summary. */
function summaryOf(item: Record<string, AttributeValue>, nowSeconds: number): KeySummary {
  const number = (name: string) => (item[name]?.N !== undefined ? Number(item[name].N) : undefined);
  const createdAt = number("createdAt") ?? 0;
  const expiresAt = number("expiresAt");
  const revokedAt = number("revokedAt");
  const channels = item.channels?.SS;
  const scope = item[SCOPE_ATTRIBUTE]?.S;
  const projects = item[PROJECTS_ATTRIBUTE]?.SS;
  const status =
    revokedAt !== undefined
      ? "revoked"
      : expiresAt !== undefined && expiresAt <= nowSeconds
        ? "expired"
        : "active";
  return {
    publicKey: item[PUBLIC_KEY_ATTRIBUTE]?.S ?? "",
    tenant: item[TENANT_ATTRIBUTE]?.S ?? "",
    ...(channels ? { channels: [...channels].sort() } : {}),
    scope: isKeyScope(scope) ? scope : DEFAULT_KEY_SCOPE,
    ...(projects ? { projects: [...projects].sort() } : {}),
    ...(item.description?.S ? { description: item.description.S } : {}),
    createdAt: iso(createdAt),
    ...(expiresAt !== undefined ? { expiresAt: iso(expiresAt) } : {}),
    ...(revokedAt !== undefined ? { revokedAt: iso(revokedAt) } : {}),
    status,
  };
}

function nowSeconds(ctx: KeysContext): number {
  return Math.floor((ctx.now ?? (() => new Date()))().getTime() / 1000);
}

/** A fresh key for `request`: the record to store and the secret to show once. */
function newKey(
  ctx: KeysContext,
  request: NewKeyRequest,
  lifetimeSeconds?: number,
): { item: Record<string, AttributeValue>; created: CreatedKey } {
  const now = nowSeconds(ctx);
  const key = generateKey();
  const channels = [...new Set(request.channels ?? [])];
  const projects = [...new Set((request.projects ?? []).map(normalizeProjectName))];
  const record: CredentialRecord = {
    publicKey: key.publicKey,
    tenant: request.tenant,
    ...(channels.length > 0 ? { channels } : {}),
    scope: isKeyScope(request.scope) ? request.scope : DEFAULT_KEY_SCOPE,
    ...(projects.length > 0 ? { projects } : {}),
    salt: key.salt,
    secretHash: key.secretHash,
    scheme: HASH_SCHEME,
    createdAt: now,
    ...(lifetimeSeconds !== undefined ? { expiresAt: now + lifetimeSeconds } : {}),
    ...(request.description ? { description: request.description } : {}),
  };
  const item = credentialToItem(record) as Record<string, AttributeValue>;
  return { item, created: { ...summaryOf(item, now), secretKey: key.secretKey } };
}

async function putNewKey(
  ctx: KeysContext,
  request: NewKeyRequest,
  lifetimeSeconds?: number,
): Promise<CreatedKey> {
  const { item, created } = newKey(ctx, request, lifetimeSeconds);
  await ctx.dynamodb.send(
    new PutItemCommand({
      TableName: ctx.table,
      Item: item,
      ConditionExpression: `attribute_not_exists(${PUBLIC_KEY_ATTRIBUTE})`,
    }),
  );
  return created;
}

export async function createKey(ctx: KeysContext, request: NewKeyRequest): Promise<CreatedKey> {
  validateRequest(request);
  const lifetime = request.expiresIn !== undefined ? parseDuration(request.expiresIn) : undefined;
  return putNewKey(ctx, request, lifetime);
}

const LISTED_ATTRIBUTES = [
  PUBLIC_KEY_ATTRIBUTE,
  TENANT_ATTRIBUTE,
  "channels",
  SCOPE_ATTRIBUTE,
  PROJECTS_ATTRIBUTE,
  "description",
  "createdAt",
  "expiresAt",
  "revokedAt",
];

/** Lists keys (of one tenant through the `tenant` index, else all), oldest first. */
export async function listKeys(ctx: KeysContext, options: { tenant?: string } = {}): Promise<KeySummary[]> {
  if (options.tenant !== undefined && !isValidTenant(options.tenant)) {
    throw new PublishingError(`invalid tenant "${options.tenant}": use lowercase letters, digits and dashes`);
  }
  // A placeholder for every name, so that none can collide with a DynamoDB reserved word.
  const placeholder = (attribute: string) => `#${attribute}`;
  const names = Object.fromEntries(LISTED_ATTRIBUTES.map((name) => [placeholder(name), name]));
  const projection = Object.keys(names).join(", ");
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = options.tenant
      ? await ctx.dynamodb.send(
          new QueryCommand({
            TableName: ctx.table,
            IndexName: TENANT_INDEX_NAME,
            KeyConditionExpression: `${placeholder(TENANT_ATTRIBUTE)} = :tenant`,
            ExpressionAttributeValues: { ":tenant": { S: options.tenant } },
            ExpressionAttributeNames: names,
            ProjectionExpression: projection,
            ExclusiveStartKey: start,
          }),
        )
      : await ctx.dynamodb.send(
          new ScanCommand({
            TableName: ctx.table,
            // Keys only: the table also holds trusted publishers (domain/trustedPublishers.ts).
            FilterExpression: `begins_with(${placeholder(PUBLIC_KEY_ATTRIBUTE)}, :keyPrefix)`,
            ExpressionAttributeValues: { ":keyPrefix": { S: PUBLIC_KEY_PREFIX } },
            ExpressionAttributeNames: names,
            ProjectionExpression: projection,
            ExclusiveStartKey: start,
          }),
        );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const now = nowSeconds(ctx);
  return items
    .map((item) => summaryOf(item, now))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.publicKey.localeCompare(b.publicKey));
}

/** The shared item shape in the SDK's type. */
function tableKey(publicKey: string): Record<string, AttributeValue> {
  return credentialKey(publicKey) as Record<string, AttributeValue>;
}

function checkPublicKey(publicKey: string): void {
  if (!PUBLIC_KEY_PATTERN.test(publicKey)) {
    throw new PublishingError(
      `"${publicKey}" is not a public key (expected ppi_ and 26 characters); see \`keys list\``,
    );
  }
}

async function getItem(ctx: KeysContext, publicKey: string): Promise<Record<string, AttributeValue>> {
  const out = await ctx.dynamodb.send(
    new GetItemCommand({ TableName: ctx.table, Key: tableKey(publicKey), ConsistentRead: true }),
  );
  if (!out.Item) throw new PublishingError(`no key ${publicKey} in table ${ctx.table}; see \`keys list\``);
  return out.Item;
}

/** Revokes a key (the edge stops accepting it within its cache bound); revoking twice is a no-op. */
export async function revokeKey(ctx: KeysContext, publicKey: string): Promise<KeySummary> {
  checkPublicKey(publicKey);
  try {
    const out = await ctx.dynamodb.send(
      new UpdateItemCommand({
        TableName: ctx.table,
        Key: tableKey(publicKey),
        UpdateExpression: "SET revokedAt = :now",
        ConditionExpression: `attribute_exists(${PUBLIC_KEY_ATTRIBUTE}) AND attribute_not_exists(revokedAt)`,
        ExpressionAttributeValues: { ":now": { N: String(nowSeconds(ctx)) } },
        ReturnValues: "ALL_NEW",
      }),
    );
    return summaryOf(out.Attributes ?? {}, nowSeconds(ctx));
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    return summaryOf(await getItem(ctx, publicKey), nowSeconds(ctx));
  }
}

function alreadyRevoked(publicKey: string): PublishingError {
  return new PublishingError(`key ${publicKey} is already revoked; create a new one with \`keys create\``);
}

/**
 * Replaces a key: a new key with the same tenant, channels, scope, projects, description and lifetime (the old
 * key's expiry span, counted from now). The new key is written and the old one revoked in one
 * transaction, so a failure can never leave an active new key whose secret nobody saw.
 */
export async function rotateKey(
  ctx: KeysContext,
  publicKey: string,
): Promise<CreatedKey & { readonly replaced: string }> {
  checkPublicKey(publicKey);
  const old = credentialFromItem(await getItem(ctx, publicKey));
  if (!old) {
    throw new PublishingError(
      `the stored record of key ${publicKey} is malformed; revoke it with \`keys revoke\` and create a new one`,
    );
  }
  if (old.revokedAt !== undefined) throw alreadyRevoked(publicKey);
  const request = {
    tenant: old.tenant,
    ...(old.channels ? { channels: old.channels } : {}),
    scope: old.scope,
    ...(old.projects ? { projects: old.projects } : {}),
    ...(old.description ? { description: old.description } : {}),
  };
  validateRequest(request);
  const lifetime = old.expiresAt !== undefined ? old.expiresAt - old.createdAt : undefined;
  const { item, created } = newKey(ctx, request, lifetime);
  try {
    await ctx.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: ctx.table,
              Item: item,
              ConditionExpression: `attribute_not_exists(${PUBLIC_KEY_ATTRIBUTE})`,
            },
          },
          {
            Update: {
              TableName: ctx.table,
              Key: tableKey(publicKey),
              UpdateExpression: "SET revokedAt = :now",
              ConditionExpression: `attribute_exists(${PUBLIC_KEY_ATTRIBUTE}) AND attribute_not_exists(revokedAt)`,
              ExpressionAttributeValues: { ":now": { N: String(nowSeconds(ctx)) } },
            },
          },
        ],
      }),
    );
  } catch (err) {
    // Cancelled as a whole: the only likely condition to fail is a concurrent revoke of the old key.
    if (
      err instanceof TransactionCanceledException &&
      err.CancellationReasons?.[1]?.Code === "ConditionalCheckFailed"
    )
      throw alreadyRevoked(publicKey);
    throw err;
  }
  return { ...created, replaced: publicKey };
}
