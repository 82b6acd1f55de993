import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  BRANCH_CHANNEL_EXPIRATION_DAYS,
  PAGE_CACHE_TTL_SECONDS,
  RETENTION_DAYS,
  UPLOAD_ORIGIN_READ_TIMEOUT_SECONDS,
} from "../domain/settingBounds";
import {
  CACHING_DISABLED_POLICY_ID,
  ERROR_PAGE_PATH_PREFIX,
  PRICE_CLASSES,
  PriceClass,
  REPLACED_ORIGIN_ERRORS,
  UPLOAD_ERROR_BODIES_KEPT,
  VIEWER_PROTOCOL_POLICY,
  errorPagePath,
} from "../domain/cloudfront";
import {
  FORWARDED_AUTHORIZATION_HEADER,
  OIDC_AUDIENCE_PATTERN,
  UPLOAD_PATH_PATTERNS,
} from "../domain/upload";
import { BRANCH_CHANNEL_TAG_VALUE, CHANNEL_TAG_KEY } from "../domain/storageLayout";
import {
  CONTENT_SECURITY_POLICY,
  CUSTOM_RESPONSE_HEADERS,
  FRAME_OPTION,
  HSTS_MAX_AGE_SECONDS,
  REFERRER_POLICY,
} from "../domain/responseHeaders";
import { DomainCertificate, checkDomain } from "./domainCertificate";
import { EdgeWebAcl, checkRateLimit } from "./edgeWebAcl";
import {
  BucketPassThrough,
  PrivateBucket,
  checkPrivateBucketArgs,
  denyInsecureTransportStatement,
} from "./privateBucket";
import { uploadBucketStatements } from "./policies/upload";
import { PolicyStatement } from "./policies/document";
import { Tags, checkTags, tagged } from "./tags";
import {
  DeployTimeConfig,
  UploadFunction,
  UploadFunctionArgs,
  checkUploadFunctionArgs,
} from "./uploadFunction";
import { checkNamePrefix, checkPassThrough, checkWholeNumber } from "./validation";

/** Distribution inputs a user may add; origins, behaviours, TLS, aliases, logging and WAF stay the component's. */
export const DISTRIBUTION_PASS_THROUGH = [
  "comment",
  "httpVersion",
  "isIpv6Enabled",
  "restrictions",
  "retainOnDelete",
  "staging",
  "continuousDeploymentPolicyId",
  "waitForDeployment",
] as const;
export type DistributionPassThrough = Pick<
  aws.cloudfront.DistributionArgs,
  (typeof DISTRIBUTION_PASS_THROUGH)[number]
>;

/** What an unset argument means (the `@default`s below). */
export const PACKAGE_INDEX_DEFAULTS = {
  branchChannels: false,
  branchChannelExpirationDays: 14,
  noncurrentVersionExpirationDays: 30,
  pageCacheTtlSeconds: 60,
  priceClass: "PriceClass_100",
  accessLogs: false,
  accessLogExpirationDays: 90,
  protect: false,
} as const;

/**
 * What an upload handler config holds at least, which the index supplies: the bucket it writes and
 * the trusted-publishing audience (`upload.trustedPublishingAudience`).
 */
export interface IndexBucketConfig {
  readonly bucketName: string;
  readonly trustedPublishingAudience: string;
}

/** The handler config fields the index supplies. */
type IndexSupplied = keyof IndexBucketConfig;

export interface PackageIndexArgs<C extends IndexBucketConfig = IndexBucketConfig> {
  /**
   * Physical name prefix, e.g. `ppi-dev`: buckets `<prefix>-index-…` and `<prefix>-logs-…`, the
   * origin access control `<prefix>-index`, policies `<prefix>-pages|files|security-headers`, the web
   * ACL `<prefix>-index`. Plain: names are checked at construction.
   */
  readonly namePrefix: string;
  /**
   * The edge function's numbered version ARN (`arn:aws:lambda:us-east-1:…:function:<name>:<n>`),
   * associated at `viewer-request` with every cache behaviour. `$LATEST` and other regions are refused.
   */
  readonly viewerRequestFunctionArn: pulumi.Input<string>;
  /**
   * Numbered version ARN of an edge function associated at `origin-response` with the default (pages)
   * behaviour — the upstream fall-through (`edge/originResponse.ts`) — and, with `upload`, with the
   * files behaviours too, where it replaces S3's bodies of `UPLOAD_ERROR_BODIES_KEPT` (400, 403).
   * Same rules as `viewerRequestFunctionArn`; required with `upload`.
   * @default undefined (no origin-response function: a missing page is 404)
   */
  readonly originResponseFunctionArn?: pulumi.Input<string>;
  /**
   * The upload endpoints (`/legacy/*`, `/_/oidc/*`, `UPLOAD_PATH_PATTERNS`): the component creates
   * the regional function (`UploadFunction`, from these arguments) with this index's bucket name and
   * trusted-publishing audience in its handler config (`bucketName`, `trustedPublishingAudience`) and the bucket statements of `uploadBucketStatements` on its
   * role besides the given ones; CloudFront reaches its function URL through an origin access
   * control of type `lambda` (signing always), behind the same viewer-request function, with the
   * upload body signer at origin-request. The function's resource policy admits this distribution
   * alone. POST is allowed on these paths and nowhere else. Plain object: its presence decides
   * which resources exist.
   * @default undefined (no upload endpoint: only GET, HEAD and OPTIONS reach the index)
   */
  readonly upload?: {
    /**
     * The upload function, but its bucket and audience: `handlerConfig` holds everything else the
     * handler needs.
     */
    readonly function: Omit<UploadFunctionArgs<C, IndexSupplied>, "deployTimeConfig">;
    /**
     * The audience of trusted publishing: what `GET /_/oidc/audience` announces, what uv and twine
     * request GitHub's token for, and what the mint endpoint requires in it (`aud`). It must differ
     * from every other index's, so that a token minted for one is refused by the others. 1-255
     * printable ASCII characters without spaces (`OIDC_AUDIENCE_PATTERN`). Not the
     * `*.cloudfront.net` name: the function's config would then depend on the distribution, whose
     * origin is the function's URL (a cycle).
     * @default the custom domain's name with `customDomain`, else `namePrefix` (e.g. `ppi-dev`)
     */
    readonly trustedPublishingAudience?: pulumi.Input<string>;
    /**
     * Numbered version ARN of the upload body signer (`edge/uploadBodySigner.ts`), associated at
     * `origin-request` with `includeBody` on the upload behaviours. Same rules as `viewerRequestFunctionArn`.
     */
    readonly bodySignerFunctionArn: pulumi.Input<string>;
  };
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
  /**
   * Tags merged onto every taggable child (buckets, distribution, certificate, web ACL); the
   * provider's default tags still apply beneath.
   * @default {}
   */
  readonly tags?: Tags;
  /**
   * Further inputs of the content bucket (see `PrivateBucketArgs.bucketArgs`), e.g. `objectLockEnabled`.
   * @default {}
   */
  readonly bucketArgs?: BucketPassThrough;
  /**
   * Further inputs of the distribution, merged over the component's: `comment`, `httpVersion`,
   * `isIpv6Enabled`, `restrictions` (geo restriction), `retainOnDelete`, `staging`,
   * `continuousDeploymentPolicyId`, `waitForDeployment`. Origins, cache behaviours, the edge function,
   * certificate and TLS policy, aliases, logging and the web ACL are the component's and refused here.
   * @default {}
   */
  readonly distributionArgs?: DistributionPassThrough;
}

const ORIGIN_ID = "index-bucket";
const UPLOAD_ORIGIN_ID = "upload-function";
/** Every method CloudFront can forward: CloudFront takes this set or GET/HEAD(/OPTIONS), nothing between. */
const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
/**
 * Viewer headers the upload function reads: the multipart boundary and the viewer's credentials,
 * which the viewer-request function moved out of `Authorization` (the origin access control signs
 * in that header). Not Host: a function URL refuses a request for another host.
 */
const UPLOAD_FORWARDED_HEADERS = ["content-type", FORWARDED_AUTHORIZATION_HEADER];
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
export class PackageIndex<C extends IndexBucketConfig = IndexBucketConfig> extends pulumi.ComponentResource {
  /** The private content bucket (all public-access blocks, owner-enforced, versioned, SSE). */
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The bucket policy: CloudFront reads on behalf of this distribution only; no plain HTTP. */
  readonly bucketPolicy: aws.s3.BucketPolicy;
  readonly originAccessControl: aws.cloudfront.OriginAccessControl;
  /** The upload function, with `upload`. */
  readonly uploadFunction?: UploadFunction<C, IndexSupplied>;
  /** The origin access control (type lambda) of the upload function, with `upload`. */
  readonly uploadOriginAccessControl?: aws.cloudfront.OriginAccessControl;
  /** What CloudFront forwards to the upload function, with `upload`. */
  readonly uploadOriginRequestPolicy?: aws.cloudfront.OriginRequestPolicy;
  readonly distribution: aws.cloudfront.Distribution;
  readonly distributionId: pulumi.Output<string>;
  readonly distributionArn: pulumi.Output<string>;
  /** The distribution's `*.cloudfront.net` name, e.g. for an alias record in another zone. */
  readonly domainName: pulumi.Output<string>;
  /** CloudFront's hosted zone id, the `zoneId` of an alias record pointing at the distribution. */
  readonly hostedZoneId: pulumi.Output<string>;
  /** The host name clients use: the custom domain, or the distribution's `*.cloudfront.net` name. */
  readonly host: pulumi.Output<string>;
  /** `https://<host>/simple/`, what goes into `--index-url`. */
  readonly indexUrl: pulumi.Output<string>;
  /** The custom domain's certificate, when there is one. */
  readonly certificate?: DomainCertificate;
  /** The web ACL, when `wafRateLimit` is set. */
  readonly webAcl?: EdgeWebAcl;
  /** The access-log bucket, when access logs are on. */
  readonly accessLogBucket?: PrivateBucket;
  /** The access-log bucket's name, when access logs are on. */
  readonly accessLogBucketName?: pulumi.Output<string>;
  /**
   * ARNs of the distribution and of the cache policies, response-headers policy and origin access
   * control it uses: what a deployer role may change (`CiAccess`'s `cloudFrontArns`).
   */
  readonly cloudFrontArns: pulumi.Output<string[]>;

  constructor(name: string, args: PackageIndexArgs<C>, opts?: pulumi.ComponentResourceOptions) {
    const context = `PackageIndex ${name}`;
    checkNamePrefix(context, args.namePrefix);
    const defaults = PACKAGE_INDEX_DEFAULTS;
    const branchChannels = args.branchChannels ?? defaults.branchChannels;
    const branchChannelExpirationDays =
      args.branchChannelExpirationDays ?? defaults.branchChannelExpirationDays;
    const noncurrentVersionExpirationDays =
      args.noncurrentVersionExpirationDays ?? defaults.noncurrentVersionExpirationDays;
    const pageCacheTtlSeconds = args.pageCacheTtlSeconds ?? defaults.pageCacheTtlSeconds;
    const accessLogExpirationDays = args.accessLogExpirationDays ?? defaults.accessLogExpirationDays;
    const bounded: [string, number, { min: number; max: number }][] = [
      ["branchChannelExpirationDays", branchChannelExpirationDays, BRANCH_CHANNEL_EXPIRATION_DAYS],
      ["noncurrentVersionExpirationDays", noncurrentVersionExpirationDays, RETENTION_DAYS],
      ["pageCacheTtlSeconds", pageCacheTtlSeconds, PAGE_CACHE_TTL_SECONDS],
      ["accessLogExpirationDays", accessLogExpirationDays, RETENTION_DAYS],
    ];
    for (const [field, value, { min, max }] of bounded) checkWholeNumber(context, field, value, min, max);
    if (args.wafRateLimit !== undefined) checkRateLimit(context, "wafRateLimit", args.wafRateLimit);
    if (typeof args.viewerRequestFunctionArn === "string")
      checkEdgeFunctionVersionArn(context, args.viewerRequestFunctionArn);
    if (typeof args.originResponseFunctionArn === "string")
      checkEdgeFunctionVersionArn(context, args.originResponseFunctionArn, "originResponseFunctionArn");
    if (args.upload) {
      if (args.originResponseFunctionArn === undefined)
        throw new Error(
          `${context}: upload needs originResponseFunctionArn: the upload function's ${UPLOAD_ERROR_BODIES_KEPT.join(" and ")} ` +
            `bodies say what is wrong, so those statuses leave the distribution-wide custom error responses, and ` +
            `the origin-response function (edge/originResponse.ts) replaces S3's bodies of them instead.`,
        );
      if (typeof args.upload.bodySignerFunctionArn === "string")
        checkEdgeFunctionVersionArn(
          context,
          args.upload.bodySignerFunctionArn,
          "upload.bodySignerFunctionArn",
        );
      checkUploadFunctionArgs(`${context}: upload.function`, args.upload.function);
      if (typeof args.upload.trustedPublishingAudience === "string")
        checkAudience(context, args.upload.trustedPublishingAudience);
    }
    if (typeof args.priceClass === "string" && !PRICE_CLASSES.includes(args.priceClass))
      throw new Error(
        `${context}: priceClass ${JSON.stringify(args.priceClass)} must be one of ${PRICE_CLASSES.join(", ")}.`,
      );
    if (args.customDomain) checkDomain(context, "customDomain", args.customDomain);
    checkTags(context, args.tags);
    checkPrivateBucketArgs(context, {
      bucketPrefix: `${args.namePrefix}-index-`,
      bucketArgs: args.bucketArgs,
    });
    checkPassThrough(context, "distributionArgs", args.distributionArgs, DISTRIBUTION_PASS_THROUGH);
    super("python-package-index:edge:PackageIndex", name, {}, opts);

    const content = new PrivateBucket(
      `${name}-content`,
      {
        bucketPrefix: `${args.namePrefix}-index-`,
        versioning: true,
        protect: args.protect ?? defaults.protect,
        tags: args.tags,
        bucketArgs: args.bucketArgs,
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

    const logs =
      (args.accessLogs ?? defaults.accessLogs)
        ? this.createAccessLogBucket(name, args.namePrefix, accessLogExpirationDays, args.tags)
        : undefined;

    // OACs, cache and response-headers policies take no tags.
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
        // domain/responseHeaders.ts: the sandbox sends the same headers.
        customHeadersConfig: {
          items: CUSTOM_RESPONSE_HEADERS.map(({ header, value }) => ({ header, value, override: true })),
        },
        securityHeadersConfig: {
          strictTransportSecurity: {
            accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: FRAME_OPTION, override: true },
          referrerPolicy: { referrerPolicy: REFERRER_POLICY, override: true },
          contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        },
      },
      { parent: this },
    );

    const certificate = args.customDomain
      ? new DomainCertificate(
          `${name}-certificate`,
          {
            domainName: args.customDomain.name,
            hostedZoneId: args.customDomain.hostedZoneId,
            tags: args.tags,
          },
          { parent: this },
        )
      : undefined;
    const webAcl =
      args.wafRateLimit !== undefined
        ? new EdgeWebAcl(
            `${name}-waf`,
            { namePrefix: args.namePrefix, rateLimit: args.wafRateLimit, tags: args.tags },
            { parent: this },
          )
        : undefined;

    const edgeFunctionArn = pulumi
      .output(args.viewerRequestFunctionArn)
      .apply((arn) => checkEdgeFunctionVersionArn(context, arn));
    const viewerRequest = { eventType: "viewer-request", lambdaArn: edgeFunctionArn, includeBody: false };
    // Only project pages fall through (the default behaviour); files and error pages never do.
    const fallThrough =
      args.originResponseFunctionArn === undefined
        ? []
        : [
            {
              eventType: "origin-response",
              lambdaArn: pulumi
                .output(args.originResponseFunctionArn)
                .apply((arn) => checkEdgeFunctionVersionArn(context, arn, "originResponseFunctionArn")),
              includeBody: false,
            },
          ];
    const behaviour = (
      cachePolicyId: pulumi.Input<string>,
      extraAssociations: (typeof viewerRequest)[] = [],
    ) => ({
      targetOriginId: ORIGIN_ID,
      viewerProtocolPolicy: VIEWER_PROTOCOL_POLICY,
      allowedMethods: ["GET", "HEAD", "OPTIONS"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      cachePolicyId,
      responseHeadersPolicyId: securityHeaders.id,
      lambdaFunctionAssociations: [viewerRequest, ...extraAssociations],
    });
    // The fixed error pages: CloudFront fetches them without the viewer-request function, and the
    // same function answers them at origin-request, so no object and no S3 error body is involved.
    // Viewers reaching this path still pass the viewer-request function, which never forwards it.
    const errorPagesBehaviour = {
      pathPattern: `${ERROR_PAGE_PATH_PREFIX}*`,
      ...behaviour(pagesCachePolicy.id, [{ ...viewerRequest, eventType: "origin-request" }]),
    };
    const filePaths = branchChannels ? [MAIN_FILES_PATH, CHANNEL_FILES_PATH] : [MAIN_FILES_PATH];
    const uploadFunction = args.upload
      ? new UploadFunction<C, IndexSupplied>(
          `${name}-upload`,
          {
            ...args.upload.function,
            deployTimeConfig: {
              bucketName: content.bucketName,
              trustedPublishingAudience: pulumi
                .output(args.upload.trustedPublishingAudience ?? args.customDomain?.name ?? args.namePrefix)
                .apply((audience) => checkAudience(context, audience)),
            } as DeployTimeConfig<C, IndexSupplied>,
            policyStatements: [
              ...(args.upload.function.policyStatements ?? []),
              ...bucketStatements(content.bucketName),
            ],
            tags: { ...args.tags, ...args.upload.function.tags },
          },
          { parent: this },
        )
      : undefined;
    const upload =
      args.upload && uploadFunction
        ? this.createUploadOrigin(name, args.namePrefix, context, args.upload, uploadFunction.urlDomain, {
            viewerRequest,
            responseHeadersPolicyId: securityHeaders.id,
          })
        : undefined;
    // With the upload function, S3's bodies of its statuses are replaced at origin-response on the
    // S3 behaviours (pages and files) instead of distribution-wide; /_errors/* is answered at
    // origin-request, so no S3 answer reaches its origin-response.
    const filesAssociations = upload ? fallThrough : [];
    const replacedErrors = REPLACED_ORIGIN_ERRORS.filter(
      (status) => !upload || !(UPLOAD_ERROR_BODIES_KEPT as readonly number[]).includes(status),
    );

    const distribution = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: `${args.namePrefix} Python package index`,
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass: args.priceClass ?? defaults.priceClass,
        aliases: args.customDomain ? [args.customDomain.name] : [],
        origins: [
          {
            originId: ORIGIN_ID,
            domainName: content.regionalDomainName,
            originAccessControlId: originAccessControl.id,
          },
          ...(upload ? [upload.origin] : []),
        ],
        defaultCacheBehavior: behaviour(pagesCachePolicy.id, fallThrough),
        orderedCacheBehaviors: [
          // First: `/*/files/*` would match `/legacy/files/…`.
          ...(upload?.behaviours ?? []),
          errorPagesBehaviour,
          ...filePaths.map((pathPattern) => ({
            pathPattern,
            ...behaviour(filesCachePolicy.id, filesAssociations),
          })),
        ],
        // S3's error bodies never reach a client (a NoSuchKey body names the key): each origin error
        // is answered with the edge's fixed page for its status. A 404 (missing page or file) is
        // remembered no longer than a page, so a newly published project becomes visible within the
        // same bound as a new version; other errors are not remembered.
        customErrorResponses: replacedErrors.map((errorCode) => ({
          errorCode,
          responseCode: errorCode,
          responsePagePath: errorPagePath(errorCode),
          errorCachingMinTtl: errorCode === 404 ? pageCacheTtlSeconds : 0,
        })),
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
        ...args.distributionArgs,
        ...tagged(args.tags),
      },
      // The log bucket's ownership controls must allow ACLs before CloudFront grants itself access.
      { parent: this, dependsOn: logs ? [logs] : [] },
    );

    if (uploadFunction) this.allowDistributionToInvoke(name, uploadFunction.functionName, distribution.arn);

    const bucketPolicy = new aws.s3.BucketPolicy(
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

    this.bucket = content.bucket;
    this.bucketName = content.bucketName;
    this.bucketArn = content.arn;
    this.bucketPolicy = bucketPolicy;
    this.originAccessControl = originAccessControl;
    this.distribution = distribution;
    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.hostedZoneId = distribution.hostedZoneId;
    this.host = args.customDomain ? pulumi.output(args.customDomain.name) : distribution.domainName;
    this.indexUrl = pulumi.interpolate`https://${this.host}/simple/`;
    this.certificate = certificate;
    this.webAcl = webAcl;
    this.accessLogBucket = logs;
    this.accessLogBucketName = logs?.bucketName;
    this.uploadFunction = uploadFunction;
    this.uploadOriginAccessControl = upload?.originAccessControl;
    this.uploadOriginRequestPolicy = upload?.originRequestPolicy;
    this.cloudFrontArns = pulumi.all([
      distribution.arn,
      pagesCachePolicy.arn,
      filesCachePolicy.arn,
      securityHeaders.arn,
      originAccessControl.arn,
      ...(upload ? [upload.originAccessControl.arn, upload.originRequestPolicy.arn] : []),
    ]);
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      distributionId: this.distributionId,
      distributionArn: this.distributionArn,
      domainName: this.domainName,
      hostedZoneId: this.hostedZoneId,
      indexUrl: this.indexUrl,
      accessLogBucketName: this.accessLogBucketName,
      cloudFrontArns: this.cloudFrontArns,
    });
  }

  /** A private bucket receiving CloudFront standard logs, expiring them after `expirationDays`. */
  private createAccessLogBucket(
    name: string,
    namePrefix: string,
    expirationDays: number,
    tags: Tags | undefined,
  ): PrivateBucket {
    const logs = new PrivateBucket(
      `${name}-logs`,
      {
        bucketPrefix: `${namePrefix}-logs-`,
        tags,
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

  /**
   * The upload function's origin and cache behaviours: its function URL signed by an origin access
   * control of type lambda, nothing cached, only the headers it reads forwarded, the viewer-request
   * function as everywhere and the body signer at origin-request with the body.
   */
  private createUploadOrigin(
    name: string,
    namePrefix: string,
    context: string,
    upload: NonNullable<PackageIndexArgs<C>["upload"]>,
    functionUrlDomain: pulumi.Input<string>,
    shared: {
      viewerRequest: { eventType: string; lambdaArn: pulumi.Input<string>; includeBody: boolean };
      responseHeadersPolicyId: pulumi.Input<string>;
    },
  ) {
    const originAccessControl = new aws.cloudfront.OriginAccessControl(
      `${name}-upload-oac`,
      {
        name: `${namePrefix}-upload`,
        description: "CloudFront signs every request to the upload function's URL.",
        originAccessControlOriginType: "lambda",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      { parent: this },
    );
    const originRequestPolicy = new aws.cloudfront.OriginRequestPolicy(
      `${name}-upload-request`,
      {
        name: `${namePrefix}-upload`,
        comment: "The upload function reads the content type and the forwarded credentials; never Host.",
        headersConfig: {
          headerBehavior: "whitelist",
          headers: { items: UPLOAD_FORWARDED_HEADERS },
        },
        cookiesConfig: { cookieBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
      },
      { parent: this },
    );
    const bodySigner = {
      eventType: "origin-request",
      lambdaArn: pulumi
        .output(upload.bodySignerFunctionArn)
        .apply((arn) => checkEdgeFunctionVersionArn(context, arn, "upload.bodySignerFunctionArn")),
      includeBody: true,
    };
    const behaviours = UPLOAD_PATH_PATTERNS.map((pathPattern) => ({
      pathPattern,
      targetOriginId: UPLOAD_ORIGIN_ID,
      viewerProtocolPolicy: VIEWER_PROTOCOL_POLICY,
      allowedMethods: ALL_METHODS,
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      cachePolicyId: CACHING_DISABLED_POLICY_ID,
      originRequestPolicyId: originRequestPolicy.id,
      responseHeadersPolicyId: shared.responseHeadersPolicyId,
      lambdaFunctionAssociations: [shared.viewerRequest, bodySigner],
    }));
    const origin = {
      originId: UPLOAD_ORIGIN_ID,
      domainName: functionUrlDomain,
      originAccessControlId: originAccessControl.id,
      customOriginConfig: {
        httpPort: 80,
        httpsPort: 443,
        originProtocolPolicy: "https-only",
        originSslProtocols: ["TLSv1.2"],
        originReadTimeout: UPLOAD_ORIGIN_READ_TIMEOUT_SECONDS,
        originKeepaliveTimeout: 5,
      },
    };
    return { originAccessControl, originRequestPolicy, behaviours, origin };
  }

  /**
   * The upload function's resource policy: the CloudFront service may invoke its URL on behalf of
   * this distribution alone. Since October 2025 a function URL needs both `lambda:InvokeFunctionUrl`
   * and `lambda:InvokeFunction` (the latter only through a function URL, `lambda:InvokedViaFunctionUrl`).
   */
  private allowDistributionToInvoke(
    name: string,
    functionName: pulumi.Input<string>,
    distributionArn: pulumi.Input<string>,
  ): void {
    const common = {
      function: functionName,
      principal: "cloudfront.amazonaws.com",
      sourceArn: distributionArn,
    };
    new aws.lambda.Permission(
      `${name}-upload-invoke-url`,
      {
        ...common,
        statementId: "AllowCloudFrontInvokeFunctionUrl",
        action: "lambda:InvokeFunctionUrl",
        functionUrlAuthType: "AWS_IAM",
      },
      { parent: this },
    );
    new aws.lambda.Permission(
      `${name}-upload-invoke`,
      {
        ...common,
        statementId: "AllowCloudFrontInvokeViaFunctionUrl",
        action: "lambda:InvokeFunction",
        invokedViaFunctionUrl: true,
      },
      { parent: this },
    );
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

/** `audience` when it is a trusted-publishing audience; throws naming the argument otherwise. */
function checkAudience(context: string, audience: string): string {
  if (!OIDC_AUDIENCE_PATTERN.test(audience))
    throw new Error(
      `${context}: upload.trustedPublishingAudience ${JSON.stringify(audience)} must be 1-255 printable ASCII ` +
        `characters without spaces, e.g. the index host name.`,
    );
  return audience;
}

/** The upload statements on the index bucket, one Output each (the bucket's name is generated). */
function bucketStatements(bucketName: pulumi.Output<string>): pulumi.Output<PolicyStatement>[] {
  return uploadBucketStatements("bucket").map((_, i) =>
    bucketName.apply((name) => uploadBucketStatements(name)[i]),
  );
}

/** Returns `arn` if it names a numbered version of a function in us-east-1; throws otherwise. */
export function checkEdgeFunctionVersionArn(
  context: string,
  arn: string,
  field = "viewerRequestFunctionArn",
): string {
  if (!EDGE_FUNCTION_VERSION_ARN.test(arn)) {
    throw new Error(
      `${context}: ${field} ${JSON.stringify(arn)} must be the numbered version ARN of a ` +
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
