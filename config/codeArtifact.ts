import { ACCOUNT_ID_PATTERN, ORGANIZATION_ID_PATTERN } from "../domain/aws";
import { CODEARTIFACT_REPOSITORY_PATTERN, PYPI_STORE_REPOSITORY } from "../domain/codeArtifact";
import { configKey } from "../domain/project";
import { ConfigReader } from "./reader";

/** Where the CodeArtifact interface endpoints go, if anywhere. */
export type CodeArtifactNetworkConfig =
  | { readonly mode: "none" }
  | { readonly mode: "existing"; readonly vpcId: string; readonly subnetIds: readonly string[] }
  | { readonly mode: "new"; readonly cidrBlock: string };

/** Settings of the CodeArtifact domain, its repositories, read sharing and private network access. */
export interface CodeArtifactConfig {
  /** The team repository that clients use; `pypi-store` is its upstream. */
  readonly repositoryName: string;
  /** `pypi-store` reaches public PyPI; off freezes it to what it has already cached. */
  readonly externalConnection: boolean;
  /** An existing KMS key for the domain instead of a new one. */
  readonly kmsKeyArn?: string;
  /** Other AWS accounts allowed to read the team repository. */
  readonly readAccountIds: readonly string[];
  /** An AWS Organization whose principals may read the team repository. */
  readonly readOrganizationId?: string;
  readonly network: CodeArtifactNetworkConfig;
}

const NETWORK_MODES = ["none", "existing", "new"] as const;
const KMS_KEY_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;
const IPV4_CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Reads every CodeArtifact key (so all are recorded for the Pulumi.yaml check) and returns
 * undefined when the stack does not enable CodeArtifact. `region` is the validated core region:
 * a domain key must live in the domain's region.
 */
export function readCodeArtifactConfig(reader: ConfigReader, region: string): CodeArtifactConfig | undefined {
  const enabled = reader.boolean("codeArtifact", false);
  const repositoryName = reader.string("codeArtifactRepository", "packages", {
    pattern: CODEARTIFACT_REPOSITORY_PATTERN,
    allowed: `2-100 letters, digits, dots, dashes or underscores, starting with a letter or digit, other than "${PYPI_STORE_REPOSITORY}"`,
  });
  const externalConnection = reader.boolean("codeArtifactExternalConnection", true);
  const kmsKeyArn = reader.optionalString("codeArtifactKmsKeyArn", {
    pattern: KMS_KEY_ARN_PATTERN,
    allowed:
      "a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)",
  });
  const readAccountIds = reader.stringList("codeArtifactReadAccounts", {
    pattern: ACCOUNT_ID_PATTERN,
    allowed: "a 12-digit AWS account id",
  });
  const readOrganizationId = reader.optionalString("codeArtifactReadOrganizationId", {
    pattern: ORGANIZATION_ID_PATTERN,
    allowed: "an AWS Organizations id such as o-a1b2c3d4e5",
  });
  const mode = reader.string("codeArtifactNetwork", "none", { oneOf: NETWORK_MODES });
  const vpcId = reader.optionalString("codeArtifactVpcId", {
    pattern: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    allowed: "a VPC id such as vpc-0123456789abcdef0",
  });
  const subnetIds = reader.stringList("codeArtifactSubnetIds", {
    pattern: /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    allowed: "a subnet id such as subnet-0123456789abcdef0",
  });
  const cidrBlock = reader.string("codeArtifactVpcCidr", "10.80.0.0/20");
  const cidrProblem = describeCidrProblem(cidrBlock);
  if (cidrProblem)
    reader.fail(`${configKey("codeArtifactVpcCidr")} is ${JSON.stringify(cidrBlock)}; ${cidrProblem}`);

  const keyRegion = kmsKeyArn?.match(KMS_KEY_ARN_PATTERN)?.[1];
  if (keyRegion !== undefined && keyRegion !== region) {
    reader.fail(
      `${configKey("codeArtifactKmsKeyArn")} is a key in ${keyRegion} but the domain is in ${region} (${configKey("region")}); use a key in ${region}.`,
    );
  }
  if (mode === "existing") {
    if (!vpcId)
      reader.fail(
        `${configKey("codeArtifactNetwork")} is "existing" but ${configKey("codeArtifactVpcId")} is not set; set the VPC that gets the endpoints.`,
      );
    if (subnetIds.length === 0) {
      reader.fail(
        `${configKey("codeArtifactNetwork")} is "existing" but ${configKey("codeArtifactSubnetIds")} is empty; list private subnets of ${vpcId ?? "the VPC"}, one per availability zone.`,
      );
    }
  } else {
    for (const [name, isSet] of [
      ["codeArtifactVpcId", vpcId !== undefined],
      ["codeArtifactSubnetIds", subnetIds.length > 0],
    ] as const) {
      if (isSet) {
        reader.fail(
          `${configKey(name)} is only used when ${configKey("codeArtifactNetwork")} is "existing" (it is "${mode}"); remove it or set codeArtifactNetwork to existing.`,
        );
      }
    }
  }
  if (!enabled) {
    const ignored = [
      ["codeArtifactKmsKeyArn", kmsKeyArn !== undefined],
      ["codeArtifactReadAccounts", readAccountIds.length > 0],
      ["codeArtifactReadOrganizationId", readOrganizationId !== undefined],
      ["codeArtifactNetwork", mode !== "none"],
    ] as const;
    for (const [name, isSet] of ignored) {
      if (isSet)
        reader.fail(
          `${configKey(name)} is set but ${configKey("codeArtifact")} is false; set codeArtifact to true or remove ${name}.`,
        );
    }
    return undefined;
  }
  return {
    repositoryName,
    externalConnection,
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    readAccountIds,
    ...(readOrganizationId ? { readOrganizationId } : {}),
    network: networkConfig(mode as CodeArtifactNetworkConfig["mode"], vpcId, subnetIds, cidrBlock),
  };
}

function networkConfig(
  mode: CodeArtifactNetworkConfig["mode"],
  vpcId: string | undefined,
  subnetIds: readonly string[],
  cidrBlock: string,
): CodeArtifactNetworkConfig {
  switch (mode) {
    case "existing":
      return { mode, vpcId: vpcId ?? "", subnetIds };
    case "new":
      return { mode, cidrBlock };
    default:
      return { mode: "none" };
  }
}

/** Why a new VPC's CIDR is unusable, or undefined if it is fine. */
function describeCidrProblem(cidr: string): string | undefined {
  const match = IPV4_CIDR_PATTERN.exec(cidr);
  const expected = "expected an IPv4 network with a prefix from /16 to /24 such as 10.80.0.0/20.";
  if (!match) return expected;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix < 16 || prefix > 24) return expected;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    const network = address - (address % hostBits);
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return `host bits are set; use the network address ${dotted}/${prefix}.`;
  }
  return undefined;
}
