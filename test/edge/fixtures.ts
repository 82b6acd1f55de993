/** Keys, records and handler configs shared by the edge, component and bundle tests. */
import { CredentialRecord } from "../../domain/credentialRecords";
import { HASH_SCHEME, generateKey } from "../../domain/keyScheme";
import { ViewerRequestConfig } from "../../edge/handler";
import { basicAuthorization } from "../support/cloudfrontEvents";

export const TEST_HANDLER_CONFIG: ViewerRequestConfig = {
  tableName: "ppi-dev-credentials",
  tableRegion: "us-east-1",
  replicaRegions: ["eu-west-1"],
  realm: "python-package-index",
  keyCacheSeconds: 60,
  unknownKeyCacheSeconds: 10,
  branchChannels: true,
};

/** 2026-01-01T00:00:00Z, the tests' "now" (epoch seconds). */
export const NOW_SECONDS = 1_767_225_600;

export interface TestKey {
  readonly publicKey: string;
  readonly secretKey: string;
  readonly record: CredentialRecord;
  /** `Authorization` header value for this key. */
  readonly authorization: string;
}

export function makeKey(
  overrides: Partial<Omit<CredentialRecord, "publicKey" | "salt" | "secretHash">> = {},
): TestKey {
  const key = generateKey();
  const record: CredentialRecord = {
    publicKey: key.publicKey,
    tenant: "acme",
    salt: key.salt,
    secretHash: key.secretHash,
    scheme: HASH_SCHEME,
    createdAt: NOW_SECONDS - 86_400,
    ...overrides,
  };
  return {
    publicKey: key.publicKey,
    secretKey: key.secretKey,
    record,
    authorization: basicAuthorization(key.publicKey, key.secretKey),
  };
}

/** One key of each kind the handler must tell apart. */
export function makeKeySet() {
  return {
    valid: makeKey(),
    mainOnly: makeKey({ channels: ["main"] }),
    otherTenant: makeKey({ tenant: "globex" }),
    revoked: makeKey({ revokedAt: NOW_SECONDS - 60 }),
    expired: makeKey({ expiresAt: NOW_SECONDS - 1 }),
    expiresLater: makeKey({ expiresAt: NOW_SECONDS + 3600 }),
    badTenant: makeKey({ tenant: "../etc" }),
  };
}
