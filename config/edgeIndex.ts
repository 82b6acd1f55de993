import { CLOUDFRONT_REGION, PriceClass } from "../domain/cloudfront";
import { UPSTREAM_OFF } from "../domain/upstreamIndex";
import { StackConfigReader } from "./schema";

/**
 * Settings of the edge index: bucket, CDN, edge authentication and credentials table. Undefined
 * fields were not set: the component's own default applies.
 */
export interface EdgeIndexConfig {
  /** Serve `/<channel>/simple/...` next to `/simple/...` (dev stacks). */
  readonly branchChannels: boolean;
  /** Days after which branch-channel objects expire. */
  readonly branchChannelExpirationDays: number | undefined;
  /** Days after which non-current object versions expire. */
  readonly noncurrentVersionExpirationDays: number | undefined;
  /** Longest time the CDN keeps an index page. */
  readonly pageCacheTtlSeconds: number | undefined;
  readonly priceClass: PriceClass | undefined;
  /** Optional custom host name, e.g. `pypi.example.com`, with its Route 53 hosted zone. */
  readonly customDomain?: { readonly name: string; readonly hostedZoneId: string };
  /** CloudFront standard access logs into a private log bucket. */
  readonly accessLogs: boolean | undefined;
  /** Days after which access-log objects expire. */
  readonly accessLogExpirationDays: number | undefined;
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
  /** Upstream index of unknown project pages, or null for none (`off`). */
  readonly upstreamIndex: string | null;
  /** Per-tenant upstream (null: off), over `upstreamIndex`. */
  readonly tenantUpstreamIndexes: Readonly<Record<string, string | null>>;
  /** The upload function behind the distribution, or undefined when `uploadEndpoint` is off. */
  readonly upload?: {
    /** Memory in MB; undefined: the component's default. */
    readonly memorySize: number | undefined;
    /** Timeout in seconds; undefined: the component's default. */
    readonly timeout: number | undefined;
  };
}

/** `off` → null, anything else is an upstream URL (the schema checked it). */
function upstreamOf(setting: string): string | null {
  return setting === UPSTREAM_OFF ? null : setting;
}

export function readEdgeIndexConfig(reader: StackConfigReader): EdgeIndexConfig {
  const customDomainName = reader.get("customDomain");
  const hostedZoneId = reader.get("hostedZoneId");
  if (customDomainName && !hostedZoneId) {
    reader.fail(
      `${reader.keyName("customDomain")} is set but ${reader.keyName("hostedZoneId")} is not; set the Route 53 hosted zone that holds the domain.`,
    );
  }
  if (hostedZoneId && !customDomainName) {
    reader.fail(
      `${reader.keyName("hostedZoneId")} is set but ${reader.keyName("customDomain")} is not; set both or neither.`,
    );
  }
  const credentialsReplicaRegions = reader.get("credentialsReplicaRegions");
  if (credentialsReplicaRegions.includes(CLOUDFRONT_REGION)) {
    reader.fail(
      `${reader.keyName("credentialsReplicaRegions")} lists ${CLOUDFRONT_REGION}, where the credentials table itself lives; remove it.`,
    );
  }
  const tenantUpstreamIndexes: Record<string, string | null> = {};
  for (const entry of reader.get("tenantUpstreamIndexes")) {
    const at = entry.indexOf("=");
    const tenant = entry.slice(0, at);
    if (Object.hasOwn(tenantUpstreamIndexes, tenant)) {
      reader.fail(
        `${reader.keyName("tenantUpstreamIndexes")} names tenant ${tenant} twice; keep one entry per tenant.`,
      );
    }
    tenantUpstreamIndexes[tenant] = upstreamOf(entry.slice(at + 1));
  }
  // Read (and so validated) even when WAF is off: a bad value fails now, not when WAF is turned on.
  const wafRateLimit = reader.get("wafRateLimit");
  // Likewise read when the endpoint is off.
  const upload = {
    memorySize: reader.get("uploadFunctionMemoryMb"),
    timeout: reader.get("uploadFunctionTimeoutSeconds"),
  };
  return {
    branchChannels: reader.get("branchChannels"),
    branchChannelExpirationDays: reader.get("branchChannelExpirationDays"),
    noncurrentVersionExpirationDays: reader.get("noncurrentVersionExpirationDays"),
    pageCacheTtlSeconds: reader.get("pageCacheTtlSeconds"),
    priceClass: reader.get("priceClass"),
    ...(customDomainName && hostedZoneId ? { customDomain: { name: customDomainName, hostedZoneId } } : {}),
    accessLogs: reader.get("accessLogs"),
    accessLogExpirationDays: reader.get("accessLogExpirationDays"),
    ...(reader.get("waf") ? { wafRateLimit } : {}),
    authRealm: reader.get("authRealm"),
    keyCacheSeconds: reader.get("keyCacheSeconds"),
    unknownKeyCacheSeconds: reader.get("unknownKeyCacheSeconds"),
    credentialsReplicaRegions,
    upstreamIndex: upstreamOf(reader.get("upstreamIndex")),
    tenantUpstreamIndexes,
    ...(reader.get("uploadEndpoint") ? { upload } : {}),
  };
}
