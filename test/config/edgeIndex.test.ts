import { expect } from "chai";
import { CoreConfig, readCoreConfig } from "../../config/core";
import { EdgeIndexConfig, readEdgeIndexConfig } from "../../config/edgeIndex";
import { ConfigError } from "../../config/reader";
import { stackConfigReader } from "../../config/schema";

const P = "python-package-index";

/** Reads the core and edge-index sections from flat values (keys without the project prefix). */
function read(values: Record<string, string>): { core: CoreConfig; edgeIndex: EdgeIndexConfig } {
  const reader = stackConfigReader((key) => values[key]);
  const config = { core: readCoreConfig(reader), edgeIndex: readEdgeIndexConfig(reader) };
  reader.finish();
  return config;
}

function problemsOf(values: Record<string, string>): readonly string[] {
  try {
    read(values);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const REGION = { region: "eu-west-1" };

/**
 * Only the region set: the program's own defaults, and undefined wherever a component's `@default`
 * applies (config passes nothing through).
 */
const WITHOUT_WAF: EdgeIndexConfig = {
  branchChannels: false,
  branchChannelExpirationDays: undefined,
  noncurrentVersionExpirationDays: undefined,
  pageCacheTtlSeconds: undefined,
  priceClass: undefined,
  accessLogs: undefined,
  accessLogExpirationDays: undefined,
  authRealm: "python-package-index",
  keyCacheSeconds: 60,
  unknownKeyCacheSeconds: 10,
  credentialsReplicaRegions: [],
  upstreamIndex: "https://pypi.org/simple/",
  tenantUpstreamIndexes: {},
  upload: { memorySize: undefined, timeout: undefined },
};
/** WAF is on unless a stack turns it off, at the default rate. */
const DEFAULT_EDGE_INDEX: EdgeIndexConfig = { ...WITHOUT_WAF, wafRateLimit: 2000 };

describe("config: core and edge index", () => {
  describe("valid settings", () => {
    const cases: [string, Record<string, string>, { core: CoreConfig; edgeIndex: EdgeIndexConfig }][] = [
      [
        "only the region: every default",
        REGION,
        { core: { region: "eu-west-1", protect: undefined }, edgeIndex: DEFAULT_EDGE_INDEX },
      ],
      [
        "every key set to a valid value",
        {
          region: "ap-southeast-2",
          protect: "true",
          branchChannels: "true",
          branchChannelExpirationDays: "365",
          noncurrentVersionExpirationDays: "1",
          pageCacheTtlSeconds: "1",
          priceClass: "PriceClass_All",
          customDomain: "pypi.example.co.uk",
          hostedZoneId: "Z0123456789EXAMPLE0",
          accessLogs: "true",
          accessLogExpirationDays: "3650",
          waf: "true",
          wafRateLimit: "10",
          authRealm: "Team packages_v2.0",
          keyCacheSeconds: "0",
          unknownKeyCacheSeconds: "0",
          credentialsReplicaRegions: '["eu-west-1","ap-southeast-2"]',
          upstreamIndex: "https://mirror.example.com:8443/pypi/simple/",
          tenantUpstreamIndexes: '["acme=off","globex=https://pypi.org/simple/"]',
          uploadEndpoint: "true",
          uploadFunctionMemoryMb: "1769",
          uploadFunctionTimeoutSeconds: "29",
        },
        {
          core: { region: "ap-southeast-2", protect: true },
          edgeIndex: {
            branchChannels: true,
            branchChannelExpirationDays: 365,
            noncurrentVersionExpirationDays: 1,
            pageCacheTtlSeconds: 1,
            priceClass: "PriceClass_All",
            customDomain: { name: "pypi.example.co.uk", hostedZoneId: "Z0123456789EXAMPLE0" },
            accessLogs: true,
            accessLogExpirationDays: 3650,
            wafRateLimit: 10,
            authRealm: "Team packages_v2.0",
            keyCacheSeconds: 0,
            unknownKeyCacheSeconds: 0,
            credentialsReplicaRegions: ["eu-west-1", "ap-southeast-2"],
            upstreamIndex: "https://mirror.example.com:8443/pypi/simple/",
            tenantUpstreamIndexes: { acme: null, globex: "https://pypi.org/simple/" },
            upload: { memorySize: 1769, timeout: 29 },
          },
        },
      ],
      [
        "the upload endpoint off (its settings still checked)",
        { ...REGION, uploadEndpoint: "false", uploadFunctionMemoryMb: "256" },
        {
          core: { region: "eu-west-1", protect: undefined },
          edgeIndex: (({ upload: _upload, ...rest }) => rest)(DEFAULT_EDGE_INDEX),
        },
      ],
      [
        "a WAF rate limit with waf off: no web ACL",
        { ...REGION, waf: "false", wafRateLimit: "500" },
        { core: { region: "eu-west-1", protect: undefined }, edgeIndex: WITHOUT_WAF },
      ],
      [
        "waf on: the default rate limit",
        { ...REGION, waf: "true" },
        {
          core: { region: "eu-west-1", protect: undefined },
          edgeIndex: { ...DEFAULT_EDGE_INDEX, wafRateLimit: 2000 },
        },
      ],
      [
        "fall-through off",
        { ...REGION, upstreamIndex: "off" },
        {
          core: { region: "eu-west-1", protect: undefined },
          edgeIndex: { ...DEFAULT_EDGE_INDEX, upstreamIndex: null },
        },
      ],
      [
        "empty strings count as unset",
        { ...REGION, priceClass: "", customDomain: "", hostedZoneId: "", credentialsReplicaRegions: "" },
        { core: { region: "eu-west-1", protect: undefined }, edgeIndex: DEFAULT_EDGE_INDEX },
      ],
    ];
    for (const [what, values, expected] of cases) {
      it(what, () => expect(read(values)).to.deep.equal(expected));
    }
  });

  describe("invalid settings, each with its exact message", () => {
    const cases: [string, Record<string, string>, string[]][] = [
      [
        "no region",
        {},
        [
          `${P}:region is required but not set. expected an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported).`,
        ],
      ],
      [
        "a region that is no region name",
        { region: "Ireland" },
        [
          `${P}:region is "Ireland"; expected an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported).`,
        ],
      ],
      [
        "a GovCloud region (the IAM policies spell arn:aws:)",
        { region: "us-gov-west-1" },
        [
          `${P}:region is "us-gov-west-1"; expected an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported).`,
        ],
      ],
      [
        "a China region (the IAM policies spell arn:aws:)",
        { region: "cn-north-1" },
        [
          `${P}:region is "cn-north-1"; expected an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported).`,
        ],
      ],
      [
        "protect not a boolean",
        { ...REGION, protect: "yes" },
        [`${P}:protect is "yes"; expected true or false.`],
      ],
      [
        "branchChannels not a boolean",
        { ...REGION, branchChannels: "1" },
        [`${P}:branchChannels is "1"; expected true or false.`],
      ],
      [
        "branch channels kept longer than a year",
        { ...REGION, branchChannelExpirationDays: "366" },
        [`${P}:branchChannelExpirationDays is "366"; expected a whole number from 1 to 365.`],
      ],
      [
        "an upload timeout CloudFront would not wait for, even with the endpoint off",
        { ...REGION, uploadEndpoint: "false", uploadFunctionTimeoutSeconds: "30" },
        [`${P}:uploadFunctionTimeoutSeconds is "30"; expected a whole number from 1 to 29.`],
      ],
      [
        "upload function memory below Lambda's",
        { ...REGION, uploadFunctionMemoryMb: "64" },
        [`${P}:uploadFunctionMemoryMb is "64"; expected a whole number from 128 to 10240.`],
      ],
      [
        "branch channels expiring on day zero",
        { ...REGION, branchChannelExpirationDays: "0" },
        [`${P}:branchChannelExpirationDays is "0"; expected a whole number from 1 to 365.`],
      ],
      [
        "a fractional version expiry",
        { ...REGION, noncurrentVersionExpirationDays: "1.5" },
        [`${P}:noncurrentVersionExpirationDays is "1.5"; expected a whole number from 1 to 3650.`],
      ],
      [
        "a version expiry above ten years",
        { ...REGION, noncurrentVersionExpirationDays: "3651" },
        [`${P}:noncurrentVersionExpirationDays is "3651"; expected a whole number from 1 to 3650.`],
      ],
      [
        "a zero page TTL (CloudFront would disable compression)",
        { ...REGION, pageCacheTtlSeconds: "0" },
        [`${P}:pageCacheTtlSeconds is "0"; expected a whole number from 1 to 3600.`],
      ],
      [
        "a page TTL above an hour",
        { ...REGION, pageCacheTtlSeconds: "3601" },
        [`${P}:pageCacheTtlSeconds is "3601"; expected a whole number from 1 to 3600.`],
      ],
      [
        "an unknown price class",
        { ...REGION, priceClass: "PriceClass_50" },
        [
          `${P}:priceClass is "PriceClass_50"; expected one of "PriceClass_100", "PriceClass_200", "PriceClass_All".`,
        ],
      ],
      [
        "an uppercase custom domain",
        { ...REGION, customDomain: "PyPI.example.com", hostedZoneId: "Z0123456789EXAMPLE0" },
        [
          `${P}:customDomain is "PyPI.example.com"; expected a lowercase DNS host name such as pypi.example.com.`,
        ],
      ],
      [
        "a custom domain without a dot",
        { ...REGION, customDomain: "pypi", hostedZoneId: "Z0123456789EXAMPLE0" },
        [`${P}:customDomain is "pypi"; expected a lowercase DNS host name such as pypi.example.com.`],
      ],
      [
        "a custom domain without its hosted zone",
        { ...REGION, customDomain: "pypi.example.com" },
        [
          `${P}:customDomain is set but ${P}:hostedZoneId is not; set the Route 53 hosted zone that holds the domain.`,
        ],
      ],
      [
        "a hosted zone without a custom domain",
        { ...REGION, hostedZoneId: "Z0123456789EXAMPLE0" },
        [`${P}:hostedZoneId is set but ${P}:customDomain is not; set both or neither.`],
      ],
      [
        "a hosted zone id in the wrong form",
        { ...REGION, customDomain: "pypi.example.com", hostedZoneId: "zone-1" },
        [`${P}:hostedZoneId is "zone-1"; expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ.`],
      ],
      [
        "accessLogs not a boolean",
        { ...REGION, accessLogs: "on" },
        [`${P}:accessLogs is "on"; expected true or false.`],
      ],
      [
        "logs expiring on day zero",
        { ...REGION, accessLogExpirationDays: "0" },
        [`${P}:accessLogExpirationDays is "0"; expected a whole number from 1 to 3650.`],
      ],
      [
        "waf not a boolean",
        { ...REGION, waf: "enabled" },
        [`${P}:waf is "enabled"; expected true or false.`],
      ],
      [
        "a WAF rate limit below WAF's minimum",
        { ...REGION, waf: "true", wafRateLimit: "9" },
        [`${P}:wafRateLimit is "9"; expected a whole number from 10 to 2000000000.`],
      ],
      [
        "a realm with a quote (it goes into a header)",
        { ...REGION, authRealm: 'pkg"s' },
        [`${P}:authRealm is "pkg\\"s"; expected 1-64 letters, digits, spaces, dots, dashes or underscores.`],
      ],
      [
        "a key cache longer than the 60 s revocation bound",
        { ...REGION, keyCacheSeconds: "61" },
        [`${P}:keyCacheSeconds is "61"; expected a whole number from 0 to 60.`],
      ],
      [
        "an unknown-key cache longer than 10 s",
        { ...REGION, unknownKeyCacheSeconds: "11" },
        [`${P}:unknownKeyCacheSeconds is "11"; expected a whole number from 0 to 10.`],
      ],
      [
        "replica regions given as a plain string",
        { ...REGION, credentialsReplicaRegions: "eu-west-1" },
        [`${P}:credentialsReplicaRegions is "eu-west-1"; expected a YAML list of strings.`],
      ],
      [
        "a replica region that is no region name",
        { ...REGION, credentialsReplicaRegions: '["eu-west-1","mars-north-1a"]' },
        [
          `${P}:credentialsReplicaRegions[1] is "mars-north-1a"; expected an AWS region name such as eu-west-1.`,
        ],
      ],
      [
        "a replica region listed twice",
        { ...REGION, credentialsReplicaRegions: '["eu-west-1","eu-west-1"]' },
        [
          `${P}:credentialsReplicaRegions lists "[\\"eu-west-1\\",\\"eu-west-1\\"]"; remove the duplicate entries.`,
        ],
      ],
      [
        "a replica in the table's own region",
        { ...REGION, credentialsReplicaRegions: '["us-east-1"]' },
        [
          `${P}:credentialsReplicaRegions lists us-east-1, where the credentials table itself lives; remove it.`,
        ],
      ],
      [
        "a plain-http upstream",
        { ...REGION, upstreamIndex: "http://pypi.org/simple/" },
        [
          `${P}:upstreamIndex is "http://pypi.org/simple/"; expected "off" or an https URL of a simple index ending in /, such as https://pypi.org/simple/ (no credentials, query or fragment).`,
        ],
      ],
      [
        "an upstream carrying credentials",
        { ...REGION, upstreamIndex: "https://user:secret@mirror.example.com/simple/" },
        [
          `${P}:upstreamIndex is "https://user:secret@mirror.example.com/simple/"; expected "off" or an https URL of a simple index ending in /, such as https://pypi.org/simple/ (no credentials, query or fragment).`,
        ],
      ],
      [
        "a tenant override without a tenant",
        { ...REGION, tenantUpstreamIndexes: '["off"]' },
        [
          `${P}:tenantUpstreamIndexes[0] is "off"; expected <tenant>=<upstream> with the upstream "off" or an https URL of a simple index ending in /, such as https://pypi.org/simple/ (no credentials, query or fragment), e.g. acme=off.`,
        ],
      ],
      [
        "a tenant named twice",
        { ...REGION, tenantUpstreamIndexes: '["acme=off","acme=https://pypi.org/simple/"]' },
        [`${P}:tenantUpstreamIndexes names tenant acme twice; keep one entry per tenant.`],
      ],
      [
        "several problems at once: all are reported",
        { protect: "maybe", pageCacheTtlSeconds: "-1" },
        [
          `${P}:region is required but not set. expected an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported).`,
          `${P}:protect is "maybe"; expected true or false.`,
          `${P}:pageCacheTtlSeconds is "-1"; expected a whole number from 1 to 3600.`,
        ],
      ],
    ];
    for (const [what, values, problems] of cases) {
      it(`refuses ${what}`, () => expect(problemsOf(values)).to.deep.equal(problems));
    }
  });
});
