import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, checkTags, tagged } from "./tags";
import { checkPassThrough } from "./validation";

/** How S3 decides object ownership; ACLs work only with `BucketOwnerPreferred`. */
export type ObjectOwnership = "BucketOwnerEnforced" | "BucketOwnerPreferred";

/** Bucket inputs a user may add; the privacy-relevant ones (ACL, policy, name) stay the component's. */
export const BUCKET_PASS_THROUGH = ["objectLockEnabled", "accelerationStatus"] as const;
export type BucketPassThrough = Pick<aws.s3.BucketArgs, (typeof BUCKET_PASS_THROUGH)[number]>;

/** What an unset argument means. */
export const PRIVATE_BUCKET_DEFAULTS = {
  objectOwnership: "BucketOwnerEnforced",
  versioning: true,
  protect: false,
} as const;

export interface PrivateBucketArgs {
  /**
   * Physical name prefix; S3 appends a random suffix, e.g. `ppi-dev-index-`. Plain data so it can be
   * validated against the 37-character limit of `bucketPrefix` at construction.
   */
  readonly bucketPrefix: string;
  /**
   * `BucketOwnerEnforced` disables ACLs entirely (the right choice for every bucket that does not
   * receive ACL-based deliveries such as CloudFront standard logs).
   * @default "BucketOwnerEnforced"
   */
  readonly objectOwnership?: ObjectOwnership;
  /**
   * Keep every version of every object (overwrites and deletes stay recoverable).
   * @default true
   */
  readonly versioning?: boolean;
  /**
   * Lifecycle rules; the bucket always also aborts incomplete multipart uploads after a day.
   * @default []
   */
  readonly lifecycleRules?: readonly pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule>[];
  /**
   * Refuse to delete the bucket through Pulumi (`protect`): it holds state that no redeploy recreates.
   * @default false
   */
  readonly protect?: boolean;
  /**
   * Tags of the bucket (its settings resources take none), over the provider's default tags.
   * @default {}
   */
  readonly tags?: Tags;
  /**
   * Further inputs of the `aws.s3.Bucket`: `objectLockEnabled` and `accelerationStatus` only. Not
   * `region`: the bucket's settings resources follow the provider's, so a bucket elsewhere needs a provider there.
   * @default {}
   */
  readonly bucketArgs?: BucketPassThrough;
}

const MAX_BUCKET_PREFIX_LENGTH = 37;
const BUCKET_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]*-$/;

/** The statement every bucket policy here carries: no request over plain HTTP, from anyone. */
export function denyInsecureTransportStatement(bucketArn: pulumi.Input<string>): pulumi.Output<object> {
  return pulumi.output(bucketArn).apply((arn) => ({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  }));
}

/** Throws on the first invalid argument; components that create a PrivateBucket run it before their own `super`. */
export function checkPrivateBucketArgs(context: string, args: PrivateBucketArgs): void {
  if (args.bucketPrefix.length > MAX_BUCKET_PREFIX_LENGTH || !BUCKET_PREFIX_PATTERN.test(args.bucketPrefix)) {
    throw new Error(
      `${context}: bucketPrefix ${JSON.stringify(args.bucketPrefix)} must be lowercase letters, ` +
        `digits and dashes, end with "-" and be at most ${MAX_BUCKET_PREFIX_LENGTH} characters.`,
    );
  }
  checkTags(context, args.tags);
  checkPassThrough(context, "bucketArgs", args.bucketArgs, BUCKET_PASS_THROUGH);
}

/**
 * A private S3 bucket: all four public-access blocks, an explicit ownership mode, SSE-S3 default
 * encryption, optional versioning and lifecycle rules. The bucket policy is left to the owner,
 * which knows who may read (see `denyInsecureTransportStatement`).
 *
 * SSE-S3 rather than SSE-KMS: the contents are already confined by the bucket policy, and KMS
 * would need a key policy admitting CloudFront's OAC plus `kms:*` grants for every publisher, and
 * would add a KMS request to every cache miss.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  /** All four public-access blocks on. */
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly regionalDomainName: pulumi.Output<string>;
  /** The `<bucket>.s3.amazonaws.com` name that CloudFront standard logging expects. */
  readonly domainName: pulumi.Output<string>;

  constructor(name: string, args: PrivateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    checkPrivateBucketArgs(`PrivateBucket ${name}`, args);
    super("python-package-index:storage:PrivateBucket", name, {}, opts);
    const objectOwnership = args.objectOwnership ?? PRIVATE_BUCKET_DEFAULTS.objectOwnership;

    this.bucket = new aws.s3.Bucket(
      name,
      // forceDestroy false: deleting a bucket that still holds objects must fail, never empty it.
      { ...args.bucketArgs, bucketPrefix: args.bucketPrefix, forceDestroy: false, ...tagged(args.tags) },
      { parent: this, protect: args.protect ?? PRIVATE_BUCKET_DEFAULTS.protect },
    );
    const bucket = this.bucket.id;

    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership } },
      // S3 refuses concurrent changes to one bucket's settings; the public-access block goes first.
      { parent: this, dependsOn: [this.publicAccessBlock] },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this },
    );
    const versioning =
      (args.versioning ?? PRIVATE_BUCKET_DEFAULTS.versioning)
        ? [
            new aws.s3.BucketVersioning(
              `${name}-versioning`,
              { bucket, versioningConfiguration: { status: "Enabled" } },
              { parent: this },
            ),
          ]
        : [];
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: { prefix: "" },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
          ...(args.lifecycleRules ?? []),
        ],
      },
      // Rules on non-current versions are only meaningful once versioning is on.
      { parent: this, dependsOn: versioning },
    );

    this.bucketName = this.bucket.bucket;
    this.arn = this.bucket.arn;
    this.regionalDomainName = this.bucket.bucketRegionalDomainName;
    this.domainName = this.bucket.bucketDomainName;
    this.registerOutputs({
      bucketName: this.bucketName,
      arn: this.arn,
      regionalDomainName: this.regionalDomainName,
      domainName: this.domainName,
    });
  }
}
