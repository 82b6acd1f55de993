/**
 * What the origin-response function (upstream fall-through) may read of the index bucket: each
 * tenant's reserved-name list, and whether a project's JSON page exists (in any channel) — nothing
 * else, not even the pages' contents. `s3:ListBucket` is limited by `s3:prefix` to those same keys:
 * it is how the function tells a missing key from a refused one (`edge/s3Objects.ts`). The same
 * statements are in the permissions boundary every service role carries (`boundary.ts`).
 */
import { projectPageKey, reservedNamesKey } from "../../domain/storageLayout";
import { PolicyStatement } from "./document";

/** The stack's index buckets (`PackageIndex` names them `<namePrefix>-index-…`; the name is not known before). */
export function indexBucketsName(namePrefix: string): string {
  return `${namePrefix}-index-*`;
}

export function indexBucketsArn(namePrefix: string): string {
  return `arn:aws:s3:::${indexBucketsName(namePrefix)}`;
}

/** `bucketArn` may be a pattern such as `arn:aws:s3:::ppi-dev-index-*` (the name is not known yet). */
export function fallThroughReadStatements(bucketArn: string): PolicyStatement[] {
  const anyTenant = "*";
  const reserved = reservedNamesKey(anyTenant);
  const jsonPages = projectPageKey(anyTenant, "*", "*", "json");
  return [
    {
      Sid: "ReadReservedNames",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${bucketArn}/${reserved}`,
    },
    {
      Sid: "ListReservedNamesAndJsonPages",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [reserved, jsonPages] } },
    },
  ];
}
