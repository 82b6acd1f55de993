import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PriceClass } from "../domain/cloudfront";
import { BRANCH_CHANNEL_TAG_VALUE, CHANNEL_TAG_KEY } from "../domain/storageLayout";
import { DomainCertificate } from "./domainCertificate";
import { EdgeWebAcl, checkRateLimit } from "./edgeWebAcl";
import { PrivateBucket, denyInsecureTransportStatement } from "./privateBucket";
import { checkNamePrefix, checkWholeNumber } from "./validation";

export interface PackageIndexArgs {
  /** Physical name prefix, e.g. `ppi-dev`: buckets `<prefix>-index-…`, policies `<prefix>-pages` etc. */
  readonly namePrefix: string;
  /**
   * The edge function's numbered version ARN (`arn:aws:lambda:us-east-1:…:function:<name>:<n>`),
   * associated at `viewer-request` with every cache behaviour. `$LATEST` and other regions are refused.
   */
  readonly viewerRequestFunctionArn: pulumi.Input<string>;
  /**
   * Serve `/<channel>/…` next to the main channel: adds the `/*\/files/*` behaviour and the expiry rule
   * for objects tagged as branch-channel content. Plain data: it decides which resources exist.
   * @default false
   */
  readonly branchChannels?: boolean;
  /**
   * Days after which objects tagged `ppi-channel-kind=branch` expire (with `branchChannels`).
   * @default 14
   */
  readonly branchChannelExpirationDays?: number;
  /**
   * Days after which overwritten or deleted object versions are removed for good.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Longest time CloudFront keeps an index page, whatever the page's own Cache-Control says (1-3600).
   * @default 60
   */
  readonly pageCacheTtlSeconds?: number;
  /**
   * CloudFront price class (which edge locations serve the index).
   * @default "PriceClass_100"
   */
  readonly priceClass?: pulumi.Input<PriceClass>;
  /**
   * Serve the index at this host name, with an ACM certificate validated in (and an alias record
   * written to) the given Route 53 zone. Without it, the `*.cloudfront.net` name and certificate.
   * Plain object: its presence decides which resources exist.
   * @default undefined
   */
  readonly customDomain?: {
    readonly name: pulumi.Input<string>;
    readonly hostedZoneId: pulumi.Input<string>;
  };
  /**
   * Write CloudFront standard access logs to a private log bucket.
   * @default false
   */
  readonly accessLogs?: boolean;
  /**
   * Days after which access-log objects expire (with `accessLogs`).
   * @default 90
   */
  readonly accessLogExpirationDays?: number;
  /**
   * Attach a WAF web ACL whose rate-based rule blocks a client IP above this many requests per
   * 5 minutes; undefined attaches none.
   * @default undefined
   */
  readonly wafRateLimit?: number;
  /**
   * Protect the content bucket from deletion by Pulumi (prod): published packages exist nowhere else.
   * @default false
   */
  readonly protect?: boolean;
}

const ORIGIN_ID = "index-bucket";
const ONE_YEAR_SECONDS = 31_536_000;
const ONE_DAY_SECONDS = 86_400;
/** Viewer paths of distribution files, main channel and branch channels (CloudFront globs). */
const MAIN_FILES_PATH = "/files/*";
const CHANNEL_FILES_PATH = "/*/files/*";
const LOG_PREFIX = "cloudfront/";
/** A Lambda@Edge association must name a numbered version of a function in us-east-1. */
const EDGE_FUNCTION_VERSION_ARN = /^arn:aws[a-z-]*:lambda:us-east-1:\d{12}:function:[A-Za-z0-9_-]+:\d+$/;

/**
 * The served index: a private, versioned S3 bucket behind a CloudFront distribution whose every
 * request first passes the edge function (authentication, tenant rewrite). CloudFront reads the
 * bucket through an origin access control; nothing else can.
 */
export class PackageIndex extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  readonly distributionArn: pulumi.Output<string>;
  /** The host name clients use: the custom domain, or the distribution's `*.cloudfront.net` name. */
  readonly host: pulumi.Output<string>;
  /** `https://<host>/simple/`, what goes into `--index-url`. */
  readonly indexUrl: pulumi.Output<string>;
  /** The access-log bucket's name, when access logs are on. */
  readonly accessLogBucketName?: pulumi.Output<string>;
  /**
   * ARNs of the distribution and of the cache policies, response-headers policy and origin access
   * control it uses: what a deployer role may change (`CiAccess`'s `cloudFrontArns`).
   */
  readonly cloudFrontArns: pulumi.Output<string[]>;

  constructor(name: string, args: PackageIndexArgs, opts?: pulumi.ComponentResourceOptions) {
    const context = `PackageIndex ${name}`;
    checkNamePrefix(context, args.namePrefix);
    const branchChannels = args.branchChannels ?? false;
    const branchChannelExpirationDays = args.branchChannelExpirationDays ?? 14;
    const noncurrentVersionExpirationDays = args.noncurrentVersionExpirationDays ?? 30;
    const pageCacheTtlSeconds = args.pageCacheTtlSeconds ?? 60;
    const accessLogExpirationDays = args.accessLogExpirationDays ?? 90;
    checkWholeNumber(context, "branchChannelExpirationDays", branchChannelExpirationDays, 1, 365);
    checkWholeNumber(context, "noncurrentVersionExpirationDays", noncurrentVersionExpirationDays, 1, 3650);
    checkWholeNumber(context, "pageCacheTtlSeconds", pageCacheTtlSeconds, 1, 3600);
    checkWholeNumber(context, "accessLogExpirationDays", accessLogExpirationDays, 1, 3650);
    if (args.wafRateLimit !== undefined) checkRateLimit(context, "wafRateLimit", args.wafRateLimit);
    super("python-package-index:edge:PackageIndex", name, {}, opts);

    const content = new PrivateBucket(
      `${name}-content`,
      {
        bucketPrefix: `${args.namePrefix}-index-`,
        versioning: true,
        protect: args.protect ?? false,
        lifecycleRules: [
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionExpirationDays },
          },
          {
            id: "remove-expired-delete-markers",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { expiredObjectDeleteMarker: true },
          },
          ...(branchChannels
            ? [
                {
                  id: "expire-branch-channels",
                  status: "Enabled",
                  filter: { tag: { key: CHANNEL_TAG_KEY, value: BRANCH_CHANNEL_TAG_VALUE } },
                  expiration: { days: branchChannelExpirationDays },
                },
              ]
            : []),
        ],
      },
      { parent: this },
    );

    const logs = args.accessLogs
      ? this.accessLogBucket(name, args.namePrefix, accessLogExpirationDays)
      : undefined;

    const originAccessControl = new aws.cloudfront.OriginAccessControl(
      `${name}-oac`,
      {
        name: `${args.namePrefix}-index`,
        description: "CloudFront signs every request to the index bucket.",
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      { parent: this },
    );

    const pagesCachePolicy = this.cachePolicy(`${name}-pages`, `${args.namePrefix}-pages`, {
      comment: "Index pages: the page's Cache-Control, capped at pageCacheTtlSeconds.",
      defaultTtl: pageCacheTtlSeconds,
      maxTtl: pageCacheTtlSeconds,
    });
    const filesCachePolicy = this.cachePolicy(`${name}-files`, `${args.namePrefix}-files`, {
      comment: "Distribution files: immutable, kept up to a year.",
      defaultTtl: ONE_DAY_SECONDS,
      maxTtl: ONE_YEAR_SECONDS,
    });

    const securityHeaders = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-security-headers`,
      {
        name: `${args.namePrefix}-security-headers`,
        comment: "HSTS, no sniffing, no framing, no referrer, no active content; Vary: Accept.",
        // One URL answers JSON or HTML by Accept (PEP 691). CloudFront's own cache is keyed by the
        // URI the edge rewrote (which names the format), but caches downstream of it see only the
        // public URL, so they must key on Accept too.
        customHeadersConfig: { items: [{ header: "Vary", value: "Accept", override: true }] },
        securityHeadersConfig: {
          strictTransportSecurity: {
            accessControlMaxAgeSec: 2 * ONE_YEAR_SECONDS,
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "DENY", override: true },
          referrerPolicy: { referrerPolicy: "no-referrer", override: true },
          contentSecurityPolicy: {
            contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
            override: true,
          },
        },
      },
      { parent: this },
    );

    const certificate = args.customDomain
      ? new DomainCertificate(
          `${name}-certificate`,
          { domainName: args.customDomain.name, hostedZoneId: args.customDomain.hostedZoneId },
          { parent: this },
        )
      : undefined;
    const webAcl =
      args.wafRateLimit !== undefined
        ? new EdgeWebAcl(
            `${name}-waf`,
            { namePrefix: args.namePrefix, rateLimit: args.wafRateLimit },
            { parent: this },
          )
        : undefined;

    const edgeFunctionArn = pulumi
      .output(args.viewerRequestFunctionArn)
      .apply((arn) => checkEdgeFunctionVersionArn(context, arn));
    const behaviour = (cachePolicyId: pulumi.Input<string>) => ({
      targetOriginId: ORIGIN_ID,
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      cachePolicyId,
      responseHeadersPolicyId: securityHeaders.id,
      lambdaFunctionAssociations: [
        { eventType: "viewer-request", lambdaArn: edgeFunctionArn, includeBody: false },
      ],
    });
    const filePaths = branchChannels ? [MAIN_FILES_PATH, CHANNEL_FILES_PATH] : [MAIN_FILES_PATH];

    const distribution = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: `${args.namePrefix} Python package index`,
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass: args.priceClass ?? "PriceClass_100",
        aliases: args.customDomain ? [args.customDomain.name] : [],
        origins: [
          {
            originId: ORIGIN_ID,
            domainName: content.regionalDomainName,
            originAccessControlId: originAccessControl.id,
          },
        ],
        defaultCacheBehavior: behaviour(pagesCachePolicy.id),
        orderedCacheBehaviors: filePaths.map((pathPattern) => ({
          pathPattern,
          ...behaviour(filesCachePolicy.id),
        })),
        // A 404 (missing page or file) is remembered no longer than a page: a newly published project
        // becomes visible within the same bound as a new version.
        customErrorResponses: [{ errorCode: 404, errorCachingMinTtl: pageCacheTtlSeconds }],
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: certificate
          ? {
              acmCertificateArn: certificate.certificateArn,
              sslSupportMethod: "sni-only",
              minimumProtocolVersion: "TLSv1.2_2021",
            }
          : { cloudfrontDefaultCertificate: true },
        ...(logs
          ? { loggingConfig: { bucket: logs.domainName, prefix: LOG_PREFIX, includeCookies: false } }
          : {}),
        ...(webAcl ? { webAclId: webAcl.arn } : {}),
        // Outputs (the URL) are usable only once the distribution is deployed.
        waitForDeployment: true,
      },
      // The log bucket's ownership controls must allow ACLs before CloudFront grants itself access.
      { parent: this, dependsOn: logs ? [logs] : [] },
    );

    new aws.s3.BucketPolicy(
      `${name}-content-policy`,
      {
        bucket: content.bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            cloudFrontReadStatement(
              "AllowCloudFrontReadObjects",
              "s3:GetObject",
              pulumi.interpolate`${content.arn}/*`,
              distribution.arn,
            ),
            // ListBucket turns a missing key into 404 instead of 403 (uv gives up on a 403 index).
            cloudFrontReadStatement(
              "AllowCloudFrontListForNotFound",
              "s3:ListBucket",
              content.arn,
              distribution.arn,
            ),
            denyInsecureTransportStatement(content.arn),
          ],
        }),
      },
      { parent: this },
    );

    if (args.customDomain) {
      for (const type of ["A", "AAAA"]) {
        new aws.route53.Record(
          `${name}-alias-${type.toLowerCase()}`,
          {
            zoneId: args.customDomain.hostedZoneId,
            name: args.customDomain.name,
            type,
            aliases: [
              {
                name: distribution.domainName,
                zoneId: distribution.hostedZoneId,
                evaluateTargetHealth: false,
              },
            ],
          },
          { parent: this },
        );
      }
    }

    this.bucketName = content.bucketName;
    this.bucketArn = content.arn;
    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.host = args.customDomain ? pulumi.output(args.customDomain.name) : distribution.domainName;
    this.indexUrl = pulumi.interpolate`https://${this.host}/simple/`;
    this.accessLogBucketName = logs?.bucketName;
    this.cloudFrontArns = pulumi.all([
      distribution.arn,
      pagesCachePolicy.arn,
      filesCachePolicy.arn,
      securityHeaders.arn,
      originAccessControl.arn,
    ]);
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      distributionId: this.distributionId,
      distributionArn: this.distributionArn,
      indexUrl: this.indexUrl,
      accessLogBucketName: this.accessLogBucketName,
      cloudFrontArns: this.cloudFrontArns,
    });
  }

  /** A private bucket receiving CloudFront standard logs, expiring them after `expirationDays`. */
  private accessLogBucket(name: string, namePrefix: string, expirationDays: number): PrivateBucket {
    const logs = new PrivateBucket(
      `${name}-logs`,
      {
        bucketPrefix: `${namePrefix}-logs-`,
        // CloudFront standard logging writes through an ACL grant to its log-delivery account,
        // which S3 honours only when ACLs are enabled: BucketOwnerPreferred keeps the objects
        // owned by this account while allowing that grant (BucketOwnerEnforced would break delivery).
        objectOwnership: "BucketOwnerPreferred",
        versioning: false,
        lifecycleRules: [
          {
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: LOG_PREFIX },
            expiration: { days: expirationDays },
          },
        ],
      },
      { parent: this },
    );
    new aws.s3.BucketPolicy(
      `${name}-logs-policy`,
      {
        bucket: logs.bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [denyInsecureTransportStatement(logs.arn)],
        }),
      },
      { parent: this },
    );
    return logs;
  }

  /** A cache policy keyed on the (rewritten) URI alone: no headers, cookies or query strings. */
  private cachePolicy(
    name: string,
    physicalName: string,
    ttl: { comment: string; defaultTtl: number; maxTtl: number },
  ): aws.cloudfront.CachePolicy {
    return new aws.cloudfront.CachePolicy(
      name,
      {
        name: physicalName,
        comment: ttl.comment,
        // minTtl 0: the origin's Cache-Control decides, up to maxTtl.
        minTtl: 0,
        defaultTtl: ttl.defaultTtl,
        maxTtl: ttl.maxTtl,
        parametersInCacheKeyAndForwardedToOrigin: {
          // Authorization stays out of the key, so CloudFront never forwards it to S3 either.
          headersConfig: { headerBehavior: "none" },
          cookiesConfig: { cookieBehavior: "none" },
          queryStringsConfig: { queryStringBehavior: "none" },
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        },
      },
      { parent: this },
    );
  }
}

/** Returns `arn` if it names a numbered version of a function in us-east-1; throws otherwise. */
export function checkEdgeFunctionVersionArn(context: string, arn: string): string {
  if (!EDGE_FUNCTION_VERSION_ARN.test(arn)) {
    throw new Error(
      `${context}: viewerRequestFunctionArn ${JSON.stringify(arn)} must be the numbered version ARN of a ` +
        `function in us-east-1 (its qualifiedArn with publish: true), never $LATEST or an unqualified ARN.`,
    );
  }
  return arn;
}

/** Grants the CloudFront service one read action, only on behalf of this distribution. */
function cloudFrontReadStatement(
  sid: string,
  action: string,
  resource: pulumi.Input<string>,
  distributionArn: pulumi.Input<string>,
): pulumi.Output<object> {
  return pulumi.all([resource, distributionArn]).apply(([resourceArn, sourceArn]) => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: action,
    Resource: resourceArn,
    Condition: { StringEquals: { "AWS:SourceArn": sourceArn } },
  }));
}
