import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AWS_REGION_PATTERN } from "../domain/aws";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";
import {
  EXPIRES_AT_ATTRIBUTE,
  PUBLIC_KEY_ATTRIBUTE,
  TENANT_ATTRIBUTE,
  TENANT_INDEX_NAME,
} from "../domain/credentialRecords";
import { PolicyStatement } from "./policies/document";
import { Tags, checkTags, tagged } from "./tags";
import { checkNamePrefix } from "./validation";

/** What an unset argument means. */
export const CREDENTIALS_TABLE_DEFAULTS = { replicaRegions: [], protect: false } as const;

export interface CredentialsTableArgs {
  /**
   * Physical name prefix, e.g. `ppi-dev`; the table is `<namePrefix>-credentials`. Plain data: the
   * edge function's closure captures the table name, and a closure must capture no Outputs.
   */
  readonly namePrefix: string;
  /**
   * Regions holding a replica (a global table), so edge replicas there read locally. Never us-east-1,
   * which holds the table itself. Plain data: the edge closure captures it too.
   * @default []
   */
  readonly replicaRegions?: readonly string[];
  /**
   * Turn on DynamoDB deletion protection and Pulumi `protect` (prod): the keys customers hold are
   * valid only while their rows exist.
   * @default false
   */
  readonly protect?: boolean;
  /**
   * Tags of the table (replicas take them too), over the provider's default tags.
   * @default {}
   */
  readonly tags?: Tags;
}

/**
 * The credentials table: one item per customer key (see `domain/credentialRecords.ts`), partition key
 * `publicKey`, a `tenant` index for listing a tenant's keys. On-demand billing, point-in-time
 * recovery, encryption at rest, and optional replicas near the users.
 */
export class CredentialsTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  /** `<namePrefix>-credentials`, known at construction (captured by the edge closure). */
  readonly tableName: string;
  readonly region = CLOUDFRONT_REGION;
  readonly replicaRegions: readonly string[];
  readonly arn: pulumi.Output<string>;
  /** The table ARN and one ARN per replica, for the read policy of the edge function. */
  readonly arns: pulumi.Output<string>[];
  /** What a key lookup needs: `dynamodb:GetItem` on the table and each replica, nothing else. */
  readonly lookupStatement: pulumi.Output<PolicyStatement>;

  constructor(name: string, args: CredentialsTableArgs, opts?: pulumi.ComponentResourceOptions) {
    const context = `CredentialsTable ${name}`;
    checkNamePrefix(context, args.namePrefix);
    const replicaRegions = args.replicaRegions ?? CREDENTIALS_TABLE_DEFAULTS.replicaRegions;
    for (const region of replicaRegions) {
      if (!AWS_REGION_PATTERN.test(region) || region === CLOUDFRONT_REGION) {
        throw new Error(
          `${context}: replica region ${JSON.stringify(region)} must be an AWS region name other than ` +
            `${CLOUDFRONT_REGION}, where the table itself lives.`,
        );
      }
    }
    if (new Set(replicaRegions).size !== replicaRegions.length) {
      throw new Error(`${context}: replicaRegions ${JSON.stringify(replicaRegions)} lists a region twice.`);
    }
    checkTags(context, args.tags);
    super("python-package-index:edge:CredentialsTable", name, {}, opts);
    const protect = args.protect ?? CREDENTIALS_TABLE_DEFAULTS.protect;
    this.tableName = `${args.namePrefix}-credentials`;
    this.replicaRegions = [...replicaRegions];

    this.table = new aws.dynamodb.Table(
      name,
      {
        region: CLOUDFRONT_REGION,
        name: this.tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: PUBLIC_KEY_ATTRIBUTE,
        attributes: [
          { name: PUBLIC_KEY_ATTRIBUTE, type: "S" },
          { name: TENANT_ATTRIBUTE, type: "S" },
        ],
        globalSecondaryIndexes: [
          // ALL: the CLI reads whole records (credentialFromItem) from the index; the rows hold salted
          // hashes of random secrets, never secrets.
          {
            name: TENANT_INDEX_NAME,
            keySchemas: [{ attributeName: TENANT_ATTRIBUTE, keyType: "HASH" }],
            projectionType: "ALL",
          },
        ],
        pointInTimeRecovery: { enabled: true },
        // Expired keys (trusted publishing mints one per CI job) are deleted by DynamoDB, lazily:
        // readers refuse an expired record themselves.
        ttl: { attributeName: EXPIRES_AT_ATTRIBUTE, enabled: true },
        // Encryption with the AWS-managed key; replicas inherit it.
        serverSideEncryption: { enabled: true },
        deletionProtectionEnabled: protect,
        // Global-table replication runs on the table's stream.
        ...(replicaRegions.length > 0
          ? {
              streamEnabled: true,
              streamViewType: "NEW_AND_OLD_IMAGES",
              replicas: replicaRegions.map((regionName) => ({
                regionName,
                pointInTimeRecovery: true,
                deletionProtectionEnabled: protect,
                propagateTags: true,
              })),
            }
          : {}),
        ...tagged(args.tags),
      },
      { parent: this, protect },
    );
    const table = this.table;

    this.arn = table.arn;
    this.arns = [
      table.arn,
      ...replicaRegions.map((region) =>
        table.arn.apply((arn) => arn.replace(`:${CLOUDFRONT_REGION}:`, `:${region}:`)),
      ),
    ];
    this.lookupStatement = pulumi.all(this.arns).apply((arns): PolicyStatement => ({
      Sid: "ReadCredentials",
      Effect: "Allow",
      Action: "dynamodb:GetItem",
      Resource: arns,
    }));
    this.registerOutputs({ tableName: this.tableName, arn: this.arn, arns: this.arns });
  }
}
