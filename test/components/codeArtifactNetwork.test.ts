import { expect } from "chai";
import {
  CodeArtifactNetwork,
  CodeArtifactNetworkArgs,
  requirePrivateDnsSupport,
  vpcCidrBlocks,
} from "../../components/codeArtifactNetwork";
import { ResourceRecorder, expectRefusedBeforeRegistering, settle, setupMocks, valueOf } from "../mocks";

const GET_VPC = "aws:ec2/getVpc:getVpc";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const VPC_ID = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"];

/** A getVpc result: primary CIDR plus one associated and one disassociated secondary CIDR. */
function vpcLookup(overrides: Record<string, unknown> = {}) {
  return {
    id: VPC_ID,
    cidrBlock: "10.20.0.0/16",
    cidrBlockAssociations: [
      { associationId: "a-1", cidrBlock: "10.20.0.0/16", state: "associated" },
      { associationId: "a-2", cidrBlock: "100.64.0.0/20", state: "associated" },
      { associationId: "a-3", cidrBlock: "10.99.0.0/24", state: "disassociated" },
    ],
    enableDnsHostnames: true,
    enableDnsSupport: true,
    ...overrides,
  };
}

async function build(
  args: Partial<CodeArtifactNetworkArgs>,
  lookup = vpcLookup(),
): Promise<{ recorder: ResourceRecorder; network: CodeArtifactNetwork; lookups: unknown[] }> {
  const lookups: unknown[] = [];
  const recorder = await setupMocks({
    invokes: {
      [GET_VPC]: (inputs) => {
        lookups.push(inputs);
        return lookup;
      },
    },
  });
  const network = new CodeArtifactNetwork("can", { namePrefix: "ppi-test", region: "eu-west-1", ...args });
  await valueOf(network.endpointIds);
  await settle();
  return { recorder, network, lookups };
}

function expectEndpoints(recorder: ResourceRecorder, vpcId: string, subnetIds: string[]): void {
  for (const service of ["api", "repositories"]) {
    expect(recorder.one(ENDPOINT, `-${service}`).inputs).to.deep.equal({
      vpcId,
      serviceName: `com.amazonaws.eu-west-1.codeartifact.${service}`,
      vpcEndpointType: "Interface",
      privateDnsEnabled: true,
      subnetIds,
      securityGroupIds: ["can-endpoints-id"],
      region: "eu-west-1",
      tags: { Name: `ppi-test-codeartifact-${service}` },
    });
  }
}

function expectSecurityGroup(recorder: ResourceRecorder, vpcId: string, cidrBlocks: string[]): void {
  const group = recorder.one(SECURITY_GROUP);
  expect(group.inputs).to.deep.include({ name: "ppi-test-codeartifact-endpoints", vpcId, egress: [] });
  expect(group.inputs.ingress).to.deep.equal([
    { description: "HTTPS from the VPC's CIDRs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks },
  ]);
}

describe("CodeArtifactNetwork", () => {
  describe("in an existing VPC", () => {
    let recorder: ResourceRecorder;
    let network: CodeArtifactNetwork;
    let lookups: unknown[];
    before(
      async () =>
        ({ recorder, network, lookups } = await build({
          existingVpc: { vpcId: VPC_ID, subnetIds: SUBNETS },
        })),
    );

    it("looks the VPC up by id in the stack's region and creates no VPC", () => {
      expect(lookups).to.deep.equal([{ id: VPC_ID, region: "eu-west-1" }]);
      expect(recorder.ofType("awsx:ec2:Vpc")).to.deep.equal([]);
      expect(network.vpc).to.equal(undefined);
    });

    it("allows 443 from every associated CIDR of the VPC only, and no egress", () => {
      expectSecurityGroup(recorder, VPC_ID, ["10.20.0.0/16", "100.64.0.0/20"]);
    });

    it("puts both interface endpoints with private DNS into the given subnets", () => {
      expectEndpoints(recorder, VPC_ID, SUBNETS);
    });

    it("outputs the VPC, subnets, security group and endpoint ids", async () => {
      expect(await valueOf(network.vpcId)).to.equal(VPC_ID);
      expect(await valueOf(network.subnetIds)).to.deep.equal(SUBNETS);
      expect(await valueOf(network.securityGroupId)).to.equal("can-endpoints-id");
      expect(await valueOf(network.endpointIds)).to.deep.equal({
        api: "can-api-id",
        repositories: "can-repositories-id",
      });
    });
  });

  describe("in a new VPC", () => {
    let recorder: ResourceRecorder;
    let network: CodeArtifactNetwork;
    let lookups: unknown[];
    before(
      async () => ({ recorder, network, lookups } = await build({ newVpc: { cidrBlock: "10.81.0.0/20" } })),
    );

    it("creates an isolated two-zone VPC without NAT, with DNS support and hostnames", () => {
      expect(lookups).to.deep.equal([]);
      const vpc = recorder.one("awsx:ec2:Vpc");
      expect(vpc.inputs).to.deep.equal({
        cidrBlock: "10.81.0.0/20",
        numberOfAvailabilityZones: 2,
        subnetStrategy: "Auto",
        subnetSpecs: [{ type: "Isolated", name: "isolated" }],
        natGateways: { strategy: "None" },
        enableDnsHostnames: true,
        enableDnsSupport: true,
        region: "eu-west-1",
        tags: { Name: "ppi-test-codeartifact" },
      });
    });

    it("allows 443 from the new VPC's CIDR only, and no egress", () => {
      expectSecurityGroup(recorder, "vpc-can-vpc", ["10.81.0.0/20"]);
    });

    it("puts both endpoints into the isolated subnets", async () => {
      const isolated = ["subnet-can-vpc-isolated-1", "subnet-can-vpc-isolated-2"];
      expectEndpoints(recorder, "vpc-can-vpc", isolated);
      expect(await valueOf(network.subnetIds)).to.deep.equal(isolated);
    });
  });

  it("spreads a new VPC over the requested number of zones", async () => {
    const { recorder } = await build({ newVpc: { cidrBlock: "10.81.0.0/20", availabilityZoneCount: 3 } });
    expect(recorder.one("awsx:ec2:Vpc").inputs.numberOfAvailabilityZones).to.equal(3);
  });

  describe("checks the VPC it is given", () => {
    it("keeps the primary CIDR once and drops disassociated ones", () => {
      expect(vpcCidrBlocks(vpcLookup())).to.deep.equal(["10.20.0.0/16", "100.64.0.0/20"]);
    });

    const dnsCases: [string, Record<string, boolean>, string][] = [
      ["DNS support off", { enableDnsSupport: false }, "enableDnsSupport turned off"],
      ["DNS hostnames off", { enableDnsHostnames: false }, "enableDnsHostnames turned off"],
      [
        "both off",
        { enableDnsSupport: false, enableDnsHostnames: false },
        "enableDnsSupport and enableDnsHostnames",
      ],
    ];
    for (const [title, attributes, problem] of dnsCases) {
      it(`refuses private DNS endpoints with ${title}, naming the fix`, () => {
        expect(() => requirePrivateDnsSupport(vpcLookup(attributes) as never)).to.throw(
          new RegExp(
            `VPC ${VPC_ID} has ${problem}.*aws ec2 modify-vpc-attribute --vpc-id ${VPC_ID} --enable-dns-`,
          ),
        );
      });
    }

    it("accepts a VPC with both DNS attributes on", () => {
      expect(() => requirePrivateDnsSupport(vpcLookup() as never)).to.not.throw();
    });
  });

  describe("rejects bad arguments", () => {
    const cases: [string, Partial<CodeArtifactNetworkArgs>, string][] = [
      [
        "neither VPC",
        {},
        "set exactly one of existingVpc (endpoints in your VPC) and newVpc (an isolated VPC is created).",
      ],
      [
        "both VPCs",
        { existingVpc: { vpcId: VPC_ID, subnetIds: SUBNETS }, newVpc: { cidrBlock: "10.81.0.0/20" } },
        "set exactly one of existingVpc (endpoints in your VPC) and newVpc (an isolated VPC is created).",
      ],
      [
        "bad region",
        { region: "moon-1", newVpc: { cidrBlock: "10.81.0.0/20" } },
        'region "moon-1" is not an AWS region name; use one such as "eu-west-1".',
      ],
      [
        "zero zones",
        { newVpc: { cidrBlock: "10.81.0.0/20", availabilityZoneCount: 0 } },
        "newVpc.availabilityZoneCount is 0; use a whole number from 1 to 6.",
      ],
      [
        "bad prefix",
        { namePrefix: "PPI", newVpc: { cidrBlock: "10.81.0.0/20" } },
        'namePrefix "PPI" must be 1-28 lowercase letters, digits or dashes, starting and ending with a letter or digit (e.g. "ppi-dev").',
      ],
    ];
    for (const [title, overrides, message] of cases) {
      it(`${title}, registering nothing`, () =>
        expectRefusedBeforeRegistering(
          () => new CodeArtifactNetwork("bad", { namePrefix: "ppi-test", region: "eu-west-1", ...overrides }),
          `CodeArtifactNetwork bad: ${message}`,
        ));
    }
  });
});
