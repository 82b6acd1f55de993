/**
 * What a package repository's CI needs to publish with the operator CLI: read objects under the
 * tenant prefixes it may publish, write their pages, create (never overwrite) their files, and list
 * only there. Files are immutable in IAM too: a file is written only with `If-None-Match: *`, as the
 * CLI always does, so no CI can replace a published file, its own or another repository's. No
 * delete (yanking rewrites pages), no CloudFront invalidation: pages carry `max-age=60` and the CDN keeps
 * them at most `pageCacheTtlSeconds`, so a new version is visible within that bound without one.
 * CodeArtifact publishing comes from the CodeArtifact component's managed publisher policy.
 */
import {
  BRANCH_CHANNEL_TAG_VALUE,
  CHANNEL_TAG_KEY,
  PageFormat,
  channelPrefix,
  projectFilesPrefix,
  projectPageKey,
  rootPageKey,
  tenantPrefix,
} from "../../domain/storageLayout";
import { MAIN_CHANNEL } from "../../domain/names";
import { PolicyDocument, policyDocument } from "./document";

export interface PublisherScope {
  readonly bucketName: string;
  /** Tenants whose part of the bucket CI may write. */
  readonly tenants: readonly string[];
}

const FORMATS: readonly PageFormat[] = ["html", "json"];

export function publisherPolicy(scope: PublisherScope): PolicyDocument {
  if (scope.tenants.length === 0) throw new Error("publisherPolicy: at least one tenant is required.");
  const prefixes = scope.tenants.map((tenant) => `${tenantPrefix(tenant)}*`);
  const objects = (prefix: string) => `arn:aws:s3:::${scope.bucketName}/${prefix}`;
  return policyDocument([
    { Sid: "ReadTenantObjects", Effect: "Allow", Action: "s3:GetObject", Resource: prefixes.map(objects) },
    {
      // Root and project pages of every channel (`*` stands for the channel and the project).
      Sid: "WriteTenantPages",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: scope.tenants
        .flatMap((tenant) =>
          FORMATS.flatMap((format) => [
            rootPageKey(tenant, "*", format),
            projectPageKey(tenant, "*", "*", format),
          ]),
        )
        .map(objects),
    },
    {
      Sid: "CreateTenantFiles",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: scope.tenants.map((tenant) => objects(`${projectFilesPrefix(tenant, "*", "*")}*`)),
      Condition: { StringEquals: { "s3:if-none-match": "*" } },
    },
    {
      // Branch-channel objects are written with the tag that lets the bucket's lifecycle rule expire them.
      Sid: "TagBranchChannelObjects",
      Effect: "Allow",
      Action: "s3:PutObjectTagging",
      Resource: prefixes.map(objects),
      Condition: {
        StringEquals: { [`s3:RequestObjectTag/${CHANNEL_TAG_KEY}`]: BRANCH_CHANNEL_TAG_VALUE },
        "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": [CHANNEL_TAG_KEY] },
      },
    },
    {
      // A main-channel file tagged as branch content would expire: main objects are never tagged.
      Sid: "DenyTaggingMainChannel",
      Effect: "Deny",
      Action: "s3:PutObjectTagging",
      Resource: scope.tenants.map((tenant) => objects(`${channelPrefix(tenant, MAIN_CHANNEL)}*`)),
    },
    {
      Sid: "ListTenantObjects",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${scope.bucketName}`,
      Condition: { StringLike: { "s3:prefix": prefixes } },
    },
  ]);
}
