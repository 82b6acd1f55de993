/**
 * Secret verification for the hot path. The salted HMAC check (`secretMatches`, the shared
 * scheme) runs whenever a record is new to this verifier; after a success the verifier remembers,
 * for that record object, the SHA-256 of the secret that passed, and later requests with the same
 * secret compare one-shot digests in constant time instead (a fraction of an HMAC's cost). The
 * memo holds no secret — a digest of a 256-bit random value — and dies with the record: a fresh
 * lookup (after the key-cache TTL) yields a new record object and a full check again.
 */
import * as crypto from "crypto";
import { CredentialRecord, secretMatches } from "./credentials";

export type SecretVerifier = (secret: string, record: CredentialRecord) => boolean;

export function createSecretVerifier(): SecretVerifier {
  const verified = new WeakMap<CredentialRecord, Buffer>();
  return function verifySecret(secret, record) {
    const digest = crypto.hash("sha256", secret, "buffer");
    const known = verified.get(record);
    if (known !== undefined && crypto.timingSafeEqual(known, digest)) return true;
    if (!secretMatches(secret, record)) return false;
    verified.set(record, digest);
    return true;
  };
}
