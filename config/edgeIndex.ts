import { AWS_REGION_PATTERN } from "../domain/aws";
import { configKey } from "../domain/project";
import { ConfigReader } from "./reader";
import { CLOUDFRONT_REGION, PRICE_CLASSES, PriceClass } from "../domain/cloudfront";
import {
  MAX_KEY_CACHE_SECONDS,
  MAX_UNKNOWN_KEY_CACHE_SECONDS,
  REALM_ALLOWED,
  REALM_PATTERN,
} from "../domain/edgeAuthentication";

/** Settings of the edge index: bucket, CDN, edge authentication and credentials table. */
export interface EdgeIndexConfig {
  /** Serve `/<channel>/simple/...` next to `/simple/...` (dev stacks). */
  readonly branchChannels: boolean;
  /** Days after which branch-channel objects expire. */
  readonly branchChannelExpirationDays: number;
  /** Days after which non-current object versions expire. */
  readonly noncurrentVersionExpirationDays: number;
  /** Longest time the CDN keeps an index page (at least 1: a zero TTL disables CloudFront compression). */
  readonly pageCacheTtlSeconds: number;
  readonly priceClass: PriceClass;
  /** Optional custom host name, e.g. `pypi.example.com`, with its Route 53 hosted zone. */
  readonly customDomain?: { readonly name: string; readonly hostedZoneId: string };
  /** CloudFront standard access logs into a private log bucket. */
  readonly accessLogs: boolean;
  /** Days after which access-log objects expire. */
  readonly accessLogExpirationDays: number;
  /** WAF rate-based rule: requests per 5 minutes per client IP, or undefined for no web ACL. */
  readonly wafRateLimit?: number;
  /** `realm` of the `WWW-Authenticate: Basic` challenge. */
  readonly authRealm: string;
  /** How long the edge trusts a looked-up valid key (bounds revocation delay). */
  readonly keyCacheSeconds: number;
  /** How long the edge remembers an unknown key. */
  readonly unknownKeyCacheSeconds: number;
  /** Regions with a replica of the credentials table, read by edge replicas running there. */
  readonly credentialsReplicaRegions: readonly string[];
}

const HOSTNAME_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function readEdgeIndexConfig(reader: ConfigReader): EdgeIndexConfig {
  const customDomainName = reader.optionalString("customDomain", {
    pattern: HOSTNAME_PATTERN,
    allowed: "a lowercase DNS host name such as pypi.example.com",
  });
  const hostedZoneId = reader.optionalString("hostedZoneId", {
    pattern: /^Z[A-Z0-9]{1,31}$/,
    allowed: "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
  });
  if (customDomainName && !hostedZoneId) {
    reader.fail(
      `${configKey("customDomain")} is set but ${configKey("hostedZoneId")} is not; set the Route 53 hosted zone that holds the domain.`,
    );
  }
  if (hostedZoneId && !customDomainName) {
    reader.fail(
      `${configKey("hostedZoneId")} is set but ${configKey("customDomain")} is not; set both or neither.`,
    );
  }
  const credentialsReplicaRegions = reader.stringList("credentialsReplicaRegions", {
    pattern: AWS_REGION_PATTERN,
    allowed: "an AWS region name such as eu-west-1",
  });
  if (credentialsReplicaRegions.includes(CLOUDFRONT_REGION)) {
    reader.fail(
      `${configKey("credentialsReplicaRegions")} lists ${CLOUDFRONT_REGION}, where the credentials table itself lives; remove it.`,
    );
  }
  const wafEnabled = reader.boolean("waf", false);
  const wafRateLimit = reader.integer("wafRateLimit", 2000, { min: 10, max: 2_000_000_000 });
  return {
    branchChannels: reader.boolean("branchChannels", false),
    branchChannelExpirationDays: reader.integer("branchChannelExpirationDays", 14, { min: 1, max: 365 }),
    noncurrentVersionExpirationDays: reader.integer("noncurrentVersionExpirationDays", 30, {
      min: 1,
      max: 3650,
    }),
    pageCacheTtlSeconds: reader.integer("pageCacheTtlSeconds", 60, { min: 1, max: 3600 }),
    priceClass: reader.string("priceClass", "PriceClass_100", { oneOf: PRICE_CLASSES }) as PriceClass,
    ...(customDomainName && hostedZoneId ? { customDomain: { name: customDomainName, hostedZoneId } } : {}),
    accessLogs: reader.boolean("accessLogs", false),
    accessLogExpirationDays: reader.integer("accessLogExpirationDays", 90, { min: 1, max: 3650 }),
    ...(wafEnabled ? { wafRateLimit } : {}),
    authRealm: reader.string("authRealm", "python-package-index", {
      pattern: REALM_PATTERN,
      allowed: REALM_ALLOWED,
    }),
    keyCacheSeconds: reader.integer("keyCacheSeconds", 60, { min: 0, max: MAX_KEY_CACHE_SECONDS }),
    unknownKeyCacheSeconds: reader.integer("unknownKeyCacheSeconds", 10, {
      min: 0,
      max: MAX_UNKNOWN_KEY_CACHE_SECONDS,
    }),
    credentialsReplicaRegions,
  };
}
