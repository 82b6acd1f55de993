/**
 * The key scheme: what a customer key looks like, how its secret is hashed for storage and how a
 * presented secret is verified. Shared by the edge function (verify) and the key administration
 * (generate), so both always agree.
 *
 * A key is a public part (the Basic-auth username, stored as the table's partition key) and a
 * secret part (the password, 256 random bits, shown once and never stored). The table keeps a
 * random salt and HMAC-SHA256(salt, secret). Secrets are high-entropy random values, so a fast
 * keyed hash is adequate (no password-stretching needed) and keeps the edge hot path cheap.
 */
import * as crypto from "crypto";

export const PUBLIC_KEY_PREFIX = "ppi_";
export const SECRET_KEY_PREFIX = "ppisk_";
export const HASH_SCHEME = "hmac-sha256/v1";

/** `ppi_` + 26 base32 characters (130 bits; unique, not secret). */
export const PUBLIC_KEY_PATTERN = /^ppi_[a-z2-7]{26}$/;
/** `ppisk_` + 43 base64url characters (256 bits). */
export const SECRET_KEY_PATTERN = /^ppisk_[A-Za-z0-9_-]{43}$/;

/** What the table stores of a secret: the salt and the salted hash. */
export interface StoredSecret {
  readonly salt: string;
  readonly secretHash: string;
}

export function hashSecret(secret: string, salt: string): string {
  return crypto
    .createHmac("sha256", Buffer.from(salt, "base64url"))
    .update(secret, "utf8")
    .digest("base64url");
}

/** Constant-time check of a presented secret against a record's salted hash. */
export function secretMatches(secret: string, record: StoredSecret): boolean {
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

/**
 * A key as one token, for the clients that send `__token__` as the Basic-auth username and a token
 * as the password (twine's and uv's convention for API tokens, and what trusted publishing hands
 * them): `PUBLIC.SECRET`. Neither part contains a dot.
 */
export const TOKEN_USERNAME = "__token__";
const TOKEN_SEPARATOR = ".";

export function keyToken(publicKey: string, secretKey: string): string {
  return `${publicKey}${TOKEN_SEPARATOR}${secretKey}`;
}

/**
 * The key pair Basic credentials name: `PUBLIC:SECRET`, or `__token__:PUBLIC.SECRET`. Either way
 * the caller still checks both parts against PUBLIC_KEY_PATTERN and SECRET_KEY_PATTERN.
 */
export function keyPairOf(username: string, password: string): { publicKey: string; secretKey: string } {
  if (username !== TOKEN_USERNAME) return { publicKey: username, secretKey: password };
  const dot = password.indexOf(TOKEN_SEPARATOR);
  return dot < 0
    ? { publicKey: "", secretKey: password }
    : { publicKey: password.slice(0, dot), secretKey: password.slice(dot + 1) };
}
