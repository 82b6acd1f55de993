/**
 * What the upload function may do in the index bucket: what the CLI's publisher may do
 * (`publisher.ts`: read objects, write pages, create but never overwrite files, tag branch-channel
 * objects, list) for every tenant at once — the key of each request decides its tenant, inside
 * the function, so IAM cannot. No delete, no overwrite of a file, nothing outside the tenant
 * prefixes' pages and files. The same statements are in the permissions boundary every service
 * role carries (`boundary.ts`), with the bucket as a pattern.
 */
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
