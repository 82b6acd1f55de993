import { KMS_KEY_ARN_PATTERN, StackConfigReader } from "./schema";

/** Where the CodeArtifact interface endpoints go, if anywhere. */
export type CodeArtifactNetworkConfig =
  | { readonly mode: "none" }
  | { readonly mode: "existing"; readonly vpcId: string; readonly subnetIds: readonly string[] }
  | { readonly mode: "new"; readonly cidrBlock: string };

/** Settings of the CodeArtifact domain, its repositories, read sharing and private network access. */
export interface CodeArtifactConfig {
  /** The team repository that clients use; `pypi-store` is its upstream. */
  readonly repositoryName: string;
  /** `pypi-store` reaches public PyPI; off freezes it. Undefined: the component's default (on). */
  readonly externalConnection: boolean | undefined;
  /** An existing KMS key for the domain instead of a new one. */
  readonly kmsKeyArn?: string;
  /** Other AWS accounts allowed to read the team repository. */
  readonly readAccountIds: readonly string[];
  /** An AWS Organization whose principals may read the team repository. */
  readonly readOrganizationId?: string;
  readonly network: CodeArtifactNetworkConfig;
}

const IPV4_CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Reads (and so validates) every CodeArtifact key, also when CodeArtifact is off, and returns
 * undefined when the stack does not enable CodeArtifact. `region` is the validated core region:
 * a domain key must live in the domain's region.
 */
export function readCodeArtifactConfig(
  reader: StackConfigReader,
  region: string,
): CodeArtifactConfig | undefined {
  const enabled = reader.get("codeArtifact");
  const repositoryName = reader.get("codeArtifactRepository");
  const externalConnection = reader.get("codeArtifactExternalConnection");
  const kmsKeyArn = reader.get("codeArtifactKmsKeyArn");
  const readAccountIds = reader.get("codeArtifactReadAccounts");
  const readOrganizationId = reader.get("codeArtifactReadOrganizationId");
  const mode = reader.get("codeArtifactNetwork");
  const vpcId = reader.get("codeArtifactVpcId");
  const subnetIds = reader.get("codeArtifactSubnetIds");
  const cidrBlock = reader.get("codeArtifactVpcCidr");
  const cidrProblem = describeCidrProblem(cidrBlock);
  if (cidrProblem)
    reader.fail(`${reader.keyName("codeArtifactVpcCidr")} is ${JSON.stringify(cidrBlock)}; ${cidrProblem}`);

  const keyRegion = kmsKeyArn?.match(KMS_KEY_ARN_PATTERN)?.[1];
  if (keyRegion !== undefined && keyRegion !== region) {
    reader.fail(
      `${reader.keyName("codeArtifactKmsKeyArn")} is a key in ${keyRegion} but the domain is in ${region} (${reader.keyName("region")}); use a key in ${region}.`,
    );
  }
  if (mode === "existing") {
    if (!vpcId)
      reader.fail(
        `${reader.keyName("codeArtifactNetwork")} is "existing" but ${reader.keyName("codeArtifactVpcId")} is not set; set the VPC that gets the endpoints.`,
      );
    if (subnetIds.length === 0) {
      reader.fail(
        `${reader.keyName("codeArtifactNetwork")} is "existing" but ${reader.keyName("codeArtifactSubnetIds")} is empty; list private subnets of ${vpcId ?? "the VPC"}, one per availability zone.`,
      );
    }
  } else {
    for (const [name, isSet] of [
      ["codeArtifactVpcId", vpcId !== undefined],
      ["codeArtifactSubnetIds", subnetIds.length > 0],
    ] as const) {
      if (isSet) {
        reader.fail(
          `${reader.keyName(name)} is only used when ${reader.keyName("codeArtifactNetwork")} is "existing" (it is "${mode}"); remove it or set codeArtifactNetwork to existing.`,
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
          `${reader.keyName(name)} is set but ${reader.keyName("codeArtifact")} is false; set codeArtifact to true or remove ${name}.`,
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
    network: networkConfig(mode, vpcId, subnetIds, cidrBlock),
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
