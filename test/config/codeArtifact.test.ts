import { expect } from "chai";
import { CodeArtifactConfig, readCodeArtifactConfig } from "../../config/codeArtifact";
import { parseStackConfig } from "../../config/index";
import { ConfigError } from "../../config/reader";
import { STACK_CONFIG, stackConfigReader } from "../../config/schema";

const P = "python-package-index";

/** Parses a stack whose only settings are its region and `values` (keys without the project prefix). */
function parse(values: Record<string, string>): ReturnType<typeof parseStackConfig> {
  const settings: Record<string, string> = { region: "eu-west-1", ...values };
  return parseStackConfig((key) => settings[key], "dev");
}

const ENABLED = { codeArtifact: "true" };
const EXISTING = {
  ...ENABLED,
  codeArtifactNetwork: "existing",
  codeArtifactVpcId: "vpc-0a1b2c3d4e5f60718",
  codeArtifactSubnetIds: '["subnet-0a1b2c3d4e5f60719","subnet-0a1b2c3d4e5f6071a"]',
};

describe("config: CodeArtifact", () => {
  describe("valid settings", () => {
    const cases: [string, Record<string, string>, CodeArtifactConfig | undefined][] = [
      ["disabled by default", {}, undefined],
      [
        "enabled with defaults: packages repository, the component's external connection, new key, no sharing, no network",
        ENABLED,
        {
          repositoryName: "packages",
          externalConnection: undefined,
          readAccountIds: [],
          network: { mode: "none" },
        },
      ],
      [
        "external connection off, own repository name",
        { ...ENABLED, codeArtifactRepository: "ml_team.python", codeArtifactExternalConnection: "false" },
        {
          repositoryName: "ml_team.python",
          externalConnection: false,
          readAccountIds: [],
          network: { mode: "none" },
        },
      ],
      [
        "existing key in the stack's region",
        { ...ENABLED, codeArtifactKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd" },
        {
          repositoryName: "packages",
          externalConnection: undefined,
          kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd",
          readAccountIds: [],
          network: { mode: "none" },
        },
      ],
      [
        "read sharing with accounts and an organization",
        {
          ...ENABLED,
          codeArtifactReadAccounts: '["111111111111","222222222222"]',
          codeArtifactReadOrganizationId: "o-a1b2c3d4e5",
        },
        {
          repositoryName: "packages",
          externalConnection: undefined,
          readAccountIds: ["111111111111", "222222222222"],
          readOrganizationId: "o-a1b2c3d4e5",
          network: { mode: "none" },
        },
      ],
      [
        "existing VPC with subnets",
        EXISTING,
        {
          repositoryName: "packages",
          externalConnection: undefined,
          readAccountIds: [],
          network: {
            mode: "existing",
            vpcId: "vpc-0a1b2c3d4e5f60718",
            subnetIds: ["subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"],
          },
        },
      ],
      [
        "new VPC with the default CIDR",
        { ...ENABLED, codeArtifactNetwork: "new" },
        {
          repositoryName: "packages",
          externalConnection: undefined,
          readAccountIds: [],
          network: { mode: "new", cidrBlock: "10.80.0.0/20" },
        },
      ],
      [
        "new VPC with its own CIDR",
        { ...ENABLED, codeArtifactNetwork: "new", codeArtifactVpcCidr: "172.16.8.0/22" },
        {
          repositoryName: "packages",
          externalConnection: undefined,
          readAccountIds: [],
          network: { mode: "new", cidrBlock: "172.16.8.0/22" },
        },
      ],
    ];
    for (const [title, values, expected] of cases) {
      it(title, () => expect(parse(values).config.codeArtifact).to.deep.equal(expected));
    }
  });

  describe("invalid settings name the key and the fix", () => {
    const cases: [string, Record<string, string>, string[]][] = [
      [
        "reserved repository name",
        { ...ENABLED, codeArtifactRepository: "pypi-store" },
        [
          `${P}:codeArtifactRepository is "pypi-store"; expected 2-100 letters, digits, dots, dashes or underscores, starting with a letter or digit, other than "pypi-store".`,
        ],
      ],
      [
        "alias instead of key ARN",
        { ...ENABLED, codeArtifactKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/codeartifact" },
        [
          `${P}:codeArtifactKmsKeyArn is "arn:aws:kms:eu-west-1:123456789012:alias/codeartifact"; expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias).`,
        ],
      ],
      [
        "key in another region",
        { ...ENABLED, codeArtifactKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd" },
        [
          `${P}:codeArtifactKmsKeyArn is a key in us-east-1 but the domain is in eu-west-1 (${P}:region); use a key in eu-west-1.`,
        ],
      ],
      [
        "account id of 11 digits",
        { ...ENABLED, codeArtifactReadAccounts: '["11111111111"]' },
        [`${P}:codeArtifactReadAccounts[0] is "11111111111"; expected a 12-digit AWS account id.`],
      ],
      [
        "organization id without o- prefix",
        { ...ENABLED, codeArtifactReadOrganizationId: "a1b2c3d4e5" },
        [
          `${P}:codeArtifactReadOrganizationId is "a1b2c3d4e5"; expected an AWS Organizations id such as o-a1b2c3d4e5.`,
        ],
      ],
      [
        "unknown network mode",
        { ...ENABLED, codeArtifactNetwork: "vpc" },
        [`${P}:codeArtifactNetwork is "vpc"; expected one of "none", "existing", "new".`],
      ],
      [
        "existing network without VPC or subnets",
        { ...ENABLED, codeArtifactNetwork: "existing" },
        [
          `${P}:codeArtifactNetwork is "existing" but ${P}:codeArtifactVpcId is not set; set the VPC that gets the endpoints.`,
          `${P}:codeArtifactNetwork is "existing" but ${P}:codeArtifactSubnetIds is empty; list private subnets of the VPC, one per availability zone.`,
        ],
      ],
      [
        "existing network without subnets",
        { ...EXISTING, codeArtifactSubnetIds: "[]" },
        [
          `${P}:codeArtifactNetwork is "existing" but ${P}:codeArtifactSubnetIds is empty; list private subnets of vpc-0a1b2c3d4e5f60718, one per availability zone.`,
        ],
      ],
      [
        "malformed VPC and subnet ids",
        { ...EXISTING, codeArtifactVpcId: "vpc-xyz", codeArtifactSubnetIds: '["subnet-1"]' },
        [
          `${P}:codeArtifactVpcId is "vpc-xyz"; expected a VPC id such as vpc-0123456789abcdef0.`,
          `${P}:codeArtifactSubnetIds[0] is "subnet-1"; expected a subnet id such as subnet-0123456789abcdef0.`,
        ],
      ],
      [
        "VPC ids with a new network",
        { ...EXISTING, codeArtifactNetwork: "new" },
        [
          `${P}:codeArtifactVpcId is only used when ${P}:codeArtifactNetwork is "existing" (it is "new"); remove it or set codeArtifactNetwork to existing.`,
          `${P}:codeArtifactSubnetIds is only used when ${P}:codeArtifactNetwork is "existing" (it is "new"); remove it or set codeArtifactNetwork to existing.`,
        ],
      ],
      [
        "CIDR with host bits",
        { ...ENABLED, codeArtifactNetwork: "new", codeArtifactVpcCidr: "10.80.1.0/20" },
        [
          `${P}:codeArtifactVpcCidr is "10.80.1.0/20"; host bits are set; use the network address 10.80.0.0/20.`,
        ],
      ],
      [
        "CIDR too large",
        { ...ENABLED, codeArtifactNetwork: "new", codeArtifactVpcCidr: "10.0.0.0/8" },
        [
          `${P}:codeArtifactVpcCidr is "10.0.0.0/8"; expected an IPv4 network with a prefix from /16 to /24 such as 10.80.0.0/20.`,
        ],
      ],
      [
        "CIDR with an octet over 255",
        { ...ENABLED, codeArtifactNetwork: "new", codeArtifactVpcCidr: "10.300.0.0/16" },
        [
          `${P}:codeArtifactVpcCidr is "10.300.0.0/16"; expected an IPv4 network with a prefix from /16 to /24 such as 10.80.0.0/20.`,
        ],
      ],
      [
        "settings that would be ignored because CodeArtifact is off",
        {
          codeArtifactReadOrganizationId: "o-a1b2c3d4e5",
          codeArtifactNetwork: "new",
          codeArtifactKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd",
          codeArtifactReadAccounts: '["111111111111"]',
        },
        [
          `${P}:codeArtifactKmsKeyArn is set but ${P}:codeArtifact is false; set codeArtifact to true or remove codeArtifactKmsKeyArn.`,
          `${P}:codeArtifactReadAccounts is set but ${P}:codeArtifact is false; set codeArtifact to true or remove codeArtifactReadAccounts.`,
          `${P}:codeArtifactReadOrganizationId is set but ${P}:codeArtifact is false; set codeArtifact to true or remove codeArtifactReadOrganizationId.`,
          `${P}:codeArtifactNetwork is set but ${P}:codeArtifact is false; set codeArtifact to true or remove codeArtifactNetwork.`,
        ],
      ],
    ];
    for (const [title, values, problems] of cases) {
      it(title, () =>
        expect(() => parse(values))
          .to.throw(ConfigError)
          .with.property("problems")
          .that.deep.equals(problems),
      );
    }
  });

  it("reads (and so validates) every CodeArtifact key even when CodeArtifact is off", () => {
    const reader = stackConfigReader(() => undefined);
    readCodeArtifactConfig(reader, "eu-west-1");
    const sectionKeys = Object.entries(STACK_CONFIG)
      .filter(([, spec]) => spec.section === "CodeArtifact")
      .map(([key]) => key);
    expect(sectionKeys.filter((key) => !reader.keysRead.has(key))).to.deep.equal([]);
  });

  it("is wired into parseStackConfig and checks the key's region against the stack region", () => {
    const values: Record<string, string> = {
      region: "eu-central-1",
      codeArtifact: "true",
      codeArtifactKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd",
    };
    expect(() => parseStackConfig((key) => values[key], "dev")).to.throw(
      `${P}:codeArtifactKmsKeyArn is a key in eu-west-1 but the domain is in eu-central-1 (${P}:region); use a key in eu-central-1.`,
    );
    delete values.codeArtifactKmsKeyArn;
    expect(parseStackConfig((key) => values[key], "dev").config.codeArtifact).to.deep.equal({
      repositoryName: "packages",
      externalConnection: undefined,
      readAccountIds: [],
      network: { mode: "none" },
    });
  });
});
