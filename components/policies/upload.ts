/**
 * What the upload function may do in the index bucket: what the CLI's publisher may do
 * (`publisher.ts`: read objects, write pages, create but never overwrite files, tag branch-channel
 * objects, list) for every tenant at once — the key of each request decides its tenant, inside
 * the function, so IAM cannot. No delete, no overwrite of a file, nothing outside the tenant
 * prefixes' pages and files. The same statements are in the permissions boundary every service
 * role carries (`boundary.ts`), with the bucket as a pattern.
 *
 * In the credentials table, trusted publishing's mint endpoint writes two kinds of item, each a
 * conditional PutItem (`attribute_not_exists`): the minted key (`ppi_…`) and the used-token record
 * (`used-oidc-token:…`). It reads trusted publishers with GetItem, which the key lookup's
 * statement already grants. IAM cannot require the write's condition, so a PutItem under those two
 * prefixes is what the role may do; never a trusted-publisher item, an UpdateItem or a DeleteItem.
 */
import { PUBLIC_KEY_PREFIX } from "../../domain/keyScheme";
import { USED_TOKEN_KEY_PREFIX } from "../../domain/trustedPublishers";
import { PolicyStatement } from "./document";
import { publisherPolicy } from "./publisher";

/** Every tenant: `*` stands for the tenant part of each key. */
const ANY_TENANT = "*";

/** `bucketName` may be a pattern such as `ppi-dev-index-*` (the name is not known before). */
export function uploadBucketStatements(bucketName: string): PolicyStatement[] {
  return publisherPolicy({ bucketName, tenants: [ANY_TENANT] }).Statement.map((statement) => ({
    ...statement,
    Sid: `Upload${statement.Sid}`,
  }));
}

/** The partition keys the mint endpoint writes (`dynamodb:LeadingKeys` patterns). */
export const MINT_WRITTEN_KEY_PATTERNS = [`${PUBLIC_KEY_PREFIX}*`, `${USED_TOKEN_KEY_PREFIX}*`] as const;

/**
 * The mint endpoint's writes: PutItem of minted keys and used-token records on `tableArns` (the
 * table's ARN, or a pattern in the boundary), every partition key of the request matching
 * MINT_WRITTEN_KEY_PATTERNS (and present: `ForAllValues` alone would also match a request without).
 */
export function mintTokenTableStatement(tableArns: string | string[]): PolicyStatement {
  return {
    Sid: "MintTrustedPublishingKeys",
    Effect: "Allow",
    Action: "dynamodb:PutItem",
    Resource: tableArns,
    Condition: {
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...MINT_WRITTEN_KEY_PATTERNS] },
      Null: { "dynamodb:LeadingKeys": "false" },
    },
  };
}
