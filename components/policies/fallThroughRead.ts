/**
 * What the origin-response function (upstream fall-through) may read of the index bucket: each
 * tenant's reserved-name list, and whether a main-channel project page exists — nothing else, not
 * even the pages' contents. `s3:ListBucket` is limited by `s3:prefix` to those same keys: it is how
 * the function tells a missing key from a refused one (`edge/s3Objects.ts`).
 */
import { MAIN_CHANNEL } from "../../domain/names";
import { PageFormat, projectPageKey, reservedNamesKey } from "../../domain/storageLayout";
import { PolicyStatement } from "./document";

const FORMATS: readonly PageFormat[] = ["html", "json"];

/** `bucketArn` may be a pattern such as `arn:aws:s3:::ppi-dev-index-*` (the name is not known yet). */
export function fallThroughReadStatements(bucketArn: string): PolicyStatement[] {
  const anyTenant = "*";
  const reserved = reservedNamesKey(anyTenant);
  const mainPages = FORMATS.map((format) => projectPageKey(anyTenant, MAIN_CHANNEL, "*", format));
  return [
    {
      Sid: "ReadReservedNames",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${bucketArn}/${reserved}`,
    },
    {
      Sid: "ListReservedNamesAndMainPages",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [reserved, ...mainPages] } },
    },
  ];
}
