/**
 * What a package repository's CI needs to publish with the operator CLI: read and write objects
 * under the tenant prefixes it may publish, and list only there. No delete (files are immutable;
 * yanking rewrites pages), no CloudFront invalidation: pages carry `max-age=60` and the CDN keeps
 * them at most `pageCacheTtlSeconds`, so a new version is visible within that bound without one.
 * CodeArtifact publishing comes from the CodeArtifact component's managed publisher policy.
 */
import { tenantPrefix } from "../../domain/storageLayout";
import { PolicyDocument, policyDocument } from "./document";

export interface PublisherScope {
  readonly bucketName: string;
  /** Tenants whose part of the bucket CI may write. */
  readonly tenants: readonly string[];
}

export function publisherPolicy(scope: PublisherScope): PolicyDocument {
  if (scope.tenants.length === 0) throw new Error("publisherPolicy: at least one tenant is required.");
  const prefixes = scope.tenants.map((tenant) => `${tenantPrefix(tenant)}*`);
  return policyDocument([
    {
      Sid: "ReadWriteTenantObjects",
      Effect: "Allow",
      // PutObjectTagging: branch-channel objects are written with a tag that lets them expire.
      Action: ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
      Resource: prefixes.map((prefix) => `arn:aws:s3:::${scope.bucketName}/${prefix}`),
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
