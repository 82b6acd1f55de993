/**
 * One row of the credentials table: the record as the code sees it, its DynamoDB item form, and
 * the table's key schema. Shared by the edge function (read), the key administration (write) and
 * every definition of the table (the component, the sandbox), so all agree on one shape.
 */
import { HASH_SCHEME } from "./keyScheme";
import { isValidChannel, isValidProjectName, isValidTenant, normalizeProjectName } from "./names";

/** The table's partition key: the item attribute holding the public key. */
export const PUBLIC_KEY_ATTRIBUTE = "publicKey";
/** The item attribute holding the key's tenant: the partition key of the tenant index. */
export const TENANT_ATTRIBUTE = "tenant";
/** The global secondary index on TENANT_ATTRIBUTE, queried to list one tenant's keys. */
export const TENANT_INDEX_NAME = "tenant";
/** The item attribute holding the key's scope (a string, one of KEY_SCOPES); absent means `read`. */
export const SCOPE_ATTRIBUTE = "scope";
/**
 * The item attribute holding a key's expiry (epoch seconds), also the table's time-to-live
 * attribute: DynamoDB deletes an expired key's row, lazily (typically within days), so every reader
 * still refuses a record whose expiry has passed.
 */
export const EXPIRES_AT_ATTRIBUTE = "expiresAt";
/** The item attribute holding the key's project restriction (a string set of normalized names). */
export const PROJECTS_ATTRIBUTE = "projects";

/**
 * What a key may do: `read` the index (pages and files), or `publish` to it, which implies read.
 * Records written before scopes existed have no scope attribute and are read keys.
 */
export const KEY_SCOPES = ["read", "publish"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];
export const DEFAULT_KEY_SCOPE: KeyScope = "read";

export function isKeyScope(value: unknown): value is KeyScope {
  return (KEY_SCOPES as readonly unknown[]).includes(value);
}

/** A project restriction entry: a valid project name already in PEP 503 normalized form. */
export function isNormalizedProjectName(name: string): boolean {
  return isValidProjectName(name) && normalizeProjectName(name) === name;
}

/** One row of the credentials table, as the code sees it. */
export interface CredentialRecord {
  readonly publicKey: string;
  readonly tenant: string;
  /** Channels this key may read; undefined means every channel of the tenant. */
  readonly channels?: readonly string[];
  readonly scope: KeyScope;
  /**
   * Projects (PEP 503 normalized) this key may read, and publish with the publish scope;
   * undefined means every project of the tenant.
   */
  readonly projects?: readonly string[];
  readonly salt: string;
  readonly secretHash: string;
  readonly scheme: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds; absent means no expiry. */
  readonly expiresAt?: number;
  /** Epoch seconds; present means revoked. */
  readonly revokedAt?: number;
  readonly description?: string;
}

/** The DynamoDB attribute-value shapes this table uses (a structural subset of the SDK's type). */
export interface AttributeValue {
  S?: string;
  N?: string;
  SS?: string[];
}
export type CredentialItem = Record<string, AttributeValue>;

/** The table key of a public key's item (GetItem, UpdateItem). */
export function credentialKey(publicKey: string): CredentialItem {
  return { [PUBLIC_KEY_ATTRIBUTE]: { S: publicKey } };
}

export function credentialToItem(record: CredentialRecord): CredentialItem {
  const item: CredentialItem = {
    [PUBLIC_KEY_ATTRIBUTE]: { S: record.publicKey },
    [TENANT_ATTRIBUTE]: { S: record.tenant },
    salt: { S: record.salt },
    secretHash: { S: record.secretHash },
    scheme: { S: record.scheme },
    createdAt: { N: String(record.createdAt) },
  };
  if (record.channels && record.channels.length > 0) item.channels = { SS: [...record.channels] };
  item[SCOPE_ATTRIBUTE] = { S: record.scope };
  if (record.projects && record.projects.length > 0) item[PROJECTS_ATTRIBUTE] = { SS: [...record.projects] };
  if (record.expiresAt !== undefined) item[EXPIRES_AT_ATTRIBUTE] = { N: String(record.expiresAt) };
  if (record.revokedAt !== undefined) item.revokedAt = { N: String(record.revokedAt) };
  if (record.description) item.description = { S: record.description };
  return item;
}

function optionalNumber(value: AttributeValue | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const n = value.N === undefined ? NaN : Number(value.N);
  return Number.isFinite(n) ? n : null;
}

/**
 * A channel or project restriction of an item: undefined when absent (no restriction), null when
 * present but not a non-empty string set of valid names. A restriction that cannot be read must
 * never widen into "no restriction".
 */
function optionalNameSet(
  value: AttributeValue | undefined,
  isValid: (name: string) => boolean,
): readonly string[] | undefined | null {
  if (value === undefined) return undefined;
  const names = value.SS;
  if (!Array.isArray(names) || names.length === 0) return null;
  return names.every((name) => typeof name === "string" && isValid(name)) ? names : null;
}

/** The scope of an item: `read` when absent (records older than scopes), null when unreadable. */
function scopeOf(value: AttributeValue | undefined): KeyScope | null {
  if (value === undefined) return DEFAULT_KEY_SCOPE;
  return isKeyScope(value.S) ? value.S : null;
}

/** Whether a record's expiry has passed at `nowMs` (a record without one never expires). */
export function credentialExpired(record: CredentialRecord, nowMs: number): boolean {
  return record.expiresAt !== undefined && record.expiresAt * 1000 <= nowMs;
}

/** Whether a key may read (and, with the publish scope, publish) a normalized project name. */
export function keyAllowsProject(record: CredentialRecord, project: string): boolean {
  return record.projects === undefined || record.projects.includes(project);
}

/** Reads an item; returns undefined for an item that is not a well-formed record (fail closed). */
export function credentialFromItem(item: CredentialItem): CredentialRecord | undefined {
  const publicKey = item[PUBLIC_KEY_ATTRIBUTE]?.S;
  const tenant = item[TENANT_ATTRIBUTE]?.S;
  const salt = item.salt?.S;
  const secretHash = item.secretHash?.S;
  const scheme = item.scheme?.S;
  const createdAt = optionalNumber(item.createdAt);
  const expiresAt = optionalNumber(item[EXPIRES_AT_ATTRIBUTE]);
  const revokedAt = optionalNumber(item.revokedAt);
  const channels = optionalNameSet(item.channels, isValidChannel);
  const scope = scopeOf(item[SCOPE_ATTRIBUTE]);
  // A restriction that cannot be read (or names a project in a spelling the edge never compares
  // with) must never widen into "every project".
  const projects = optionalNameSet(item[PROJECTS_ATTRIBUTE], isNormalizedProjectName);
  if (!publicKey || !tenant || !salt || !secretHash || scheme !== HASH_SCHEME) return undefined;
  if (!isValidTenant(tenant) || channels === null || scope === null || projects === null) return undefined;
  if (createdAt === undefined || createdAt === null || expiresAt === null || revokedAt === null)
    return undefined;
  return {
    publicKey,
    tenant,
    salt,
    secretHash,
    scheme,
    createdAt,
    ...(channels ? { channels } : {}),
    scope,
    ...(projects ? { projects } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
    ...(item.description?.S ? { description: item.description.S } : {}),
  };
}
