/**
 * Customer keys: format, hashing and the credentials-table item. Shared by the edge function
 * (verify) and the CLI (create, list, revoke) so that both always agree on the scheme.
 *
 * A key is a public part (the Basic-auth username, stored as the table's partition key) and a
 * secret part (the password, 256 random bits, shown once and never stored). The table keeps a
 * random salt and HMAC-SHA256(salt, secret). Secrets are high-entropy random values, so a fast
 * keyed hash is adequate (no password-stretching needed) and keeps the edge hot path cheap.
 */
import * as crypto from "crypto";
import { isValidChannel, isValidTenant } from "./names";

export const PUBLIC_KEY_PREFIX = "ppi_";
export const SECRET_KEY_PREFIX = "ppisk_";
export const HASH_SCHEME = "hmac-sha256/v1";

/** `ppi_` + 26 base32 characters (130 bits; unique, not secret). */
export const PUBLIC_KEY_PATTERN = /^ppi_[a-z2-7]{26}$/;
/** `ppisk_` + 43 base64url characters (256 bits). */
export const SECRET_KEY_PATTERN = /^ppisk_[A-Za-z0-9_-]{43}$/;

/** One row of the credentials table, as the code sees it. */
export interface CredentialRecord {
  readonly publicKey: string;
  readonly tenant: string;
  /** Channels this key may read; undefined means every channel of the tenant. */
  readonly channels?: readonly string[];
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

export function hashSecret(secret: string, salt: string): string {
  return crypto
    .createHmac("sha256", Buffer.from(salt, "base64url"))
    .update(secret, "utf8")
    .digest("base64url");
}

/** Constant-time check of a presented secret against a record's salted hash. */
export function secretMatches(
  secret: string,
  record: Pick<CredentialRecord, "salt" | "secretHash">,
): boolean {
  const presented = Buffer.from(hashSecret(secret, record.salt), "base64url");
  const stored = Buffer.from(record.secretHash, "base64url");
  return presented.length === stored.length && crypto.timingSafeEqual(presented, stored);
}

const BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes: Buffer, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += BASE32_ALPHABET[bytes[i] % 32];
  return out;
}

export interface NewKey {
  readonly publicKey: string;
  readonly secretKey: string;
  readonly salt: string;
  readonly secretHash: string;
}

/** Creates a key pair and the salted hash to store; the secret leaves only through the caller. */
export function generateKey(randomBytes: (size: number) => Buffer = crypto.randomBytes): NewKey {
  const publicKey = PUBLIC_KEY_PREFIX + base32(randomBytes(26), 26);
  const secretKey = SECRET_KEY_PREFIX + randomBytes(32).toString("base64url");
  const salt = randomBytes(16).toString("base64url");
  return { publicKey, secretKey, salt, secretHash: hashSecret(secretKey, salt) };
}

export function credentialToItem(record: CredentialRecord): CredentialItem {
  const item: CredentialItem = {
    publicKey: { S: record.publicKey },
    tenant: { S: record.tenant },
    salt: { S: record.salt },
    secretHash: { S: record.secretHash },
    scheme: { S: record.scheme },
    createdAt: { N: String(record.createdAt) },
  };
  if (record.channels && record.channels.length > 0) item.channels = { SS: [...record.channels] };
  if (record.expiresAt !== undefined) item.expiresAt = { N: String(record.expiresAt) };
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
 * The channel restriction of an item: undefined when absent (every channel), null when present
 * but not a non-empty string set of valid channel names. A restriction that cannot be read must
 * never widen into "no restriction".
 */
function optionalChannels(value: AttributeValue | undefined): readonly string[] | undefined | null {
  if (value === undefined) return undefined;
  const channels = value.SS;
  if (!Array.isArray(channels) || channels.length === 0) return null;
  return channels.every((channel) => typeof channel === "string" && isValidChannel(channel))
    ? channels
    : null;
}

/** Reads an item; returns undefined for an item that is not a well-formed record (fail closed). */
export function credentialFromItem(item: CredentialItem): CredentialRecord | undefined {
  const publicKey = item.publicKey?.S;
  const tenant = item.tenant?.S;
  const salt = item.salt?.S;
  const secretHash = item.secretHash?.S;
  const scheme = item.scheme?.S;
  const createdAt = optionalNumber(item.createdAt);
  const expiresAt = optionalNumber(item.expiresAt);
  const revokedAt = optionalNumber(item.revokedAt);
  const channels = optionalChannels(item.channels);
  if (!publicKey || !tenant || !salt || !secretHash || scheme !== HASH_SCHEME) return undefined;
  if (!isValidTenant(tenant) || channels === null) return undefined;
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
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
    ...(item.description?.S ? { description: item.description.S } : {}),
  };
}
