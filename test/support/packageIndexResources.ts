/** Resources a PackageIndex declares with no optional part, by type: shared by component and program tests. */
export const PACKAGE_INDEX_BASE_COUNTS: Readonly<Record<string, number>> = {
  "aws:s3/bucket:Bucket": 1,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
  "aws:s3/bucketVersioning:BucketVersioning": 1,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
  "aws:s3/bucketPolicy:BucketPolicy": 1,
  "aws:cloudfront/originAccessControl:OriginAccessControl": 1,
  "aws:cloudfront/cachePolicy:CachePolicy": 2,
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": 1,
  "aws:cloudfront/distribution:Distribution": 1,
};
