import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { AWS_REGION_PATTERN } from "../domain/aws";
import { checkNamePrefix } from "./validation";

/** The two interface endpoints CodeArtifact needs; Python needs no S3 gateway endpoint. */
export const CODEARTIFACT_ENDPOINT_SERVICES = ["api", "repositories"] as const;

export interface ExistingVpc {
  /** The VPC that gets the endpoints; its CIDRs are looked up and allowed to reach them. */
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets for the endpoints, one per availability zone. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
}

export interface NewVpc {
  /** CIDR of the new VPC, e.g. `10.80.0.0/20`. Plain: it sizes the subnets at construction. */
  readonly cidrBlock: string;
  /**
   * Availability zones with an isolated subnet (and an endpoint network interface each).
   * @default 2
   */
  readonly availabilityZoneCount?: number;
}

export interface CodeArtifactNetworkArgs {
  /** Physical name prefix such as `ppi-prod`, e.g. for the security group `<prefix>-codeartifact-endpoints`. */
  readonly namePrefix: string;
  /** Region of the endpoints. Plain: it is spelled into the endpoint service names. */
  readonly region: string;
  /** Put the endpoints into this VPC. Exactly one of `existingVpc` and `newVpc`. */
  readonly existingVpc?: ExistingVpc;
  /**
   * Create an isolated VPC (no internet gateway route, no NAT) whose only way to packages is
   * CodeArtifact through the endpoints. Exactly one of `existingVpc` and `newVpc`.
   */
  readonly newVpc?: NewVpc;
}

/** What the endpoints need from a VPC. */
interface VpcPlacement {
  readonly vpcId: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string[]>;
  /** Every IPv4 CIDR of the VPC: the only sources allowed to reach the endpoints. */
  readonly cidrBlocks: pulumi.Output<string[]>;
}

/**
 * Private network access to CodeArtifact: interface endpoints `codeartifact.api` and
 * `codeartifact.repositories` with private DNS, in private subnets of an existing or a new VPC,
 * behind a security group that accepts HTTPS from the VPC's own CIDRs only and sends nothing.
 */
export class CodeArtifactNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string[]>;
  readonly securityGroupId: pulumi.Output<string>;
  /** Endpoint ids keyed by service: `api`, `repositories`. */
  readonly endpointIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: CodeArtifactNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    validateArgs(args);
    super("python-package-index:codeartifact:CodeArtifactNetwork", name, {}, opts);
    const { namePrefix, region } = args;
    const placement = args.existingVpc
      ? this.lookUpVpc(args.existingVpc, region)
      : this.createVpc(name, namePrefix, region, args.newVpc as NewVpc);

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        name: `${namePrefix}-codeartifact-endpoints`,
        description: "HTTPS from inside the VPC to the CodeArtifact interface endpoints",
        vpcId: placement.vpcId,
        region,
        ingress: [
          {
            description: "HTTPS from the VPC's CIDRs",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: placement.cidrBlocks,
          },
        ],
        // Endpoints only answer; an empty list also removes AWS's default allow-all egress rule.
        egress: [],
      },
      { parent: this },
    );

    const endpoints = CODEARTIFACT_ENDPOINT_SERVICES.map(
      (service) =>
        new aws.ec2.VpcEndpoint(
          `${name}-${service}`,
          {
            vpcId: placement.vpcId,
            serviceName: `com.amazonaws.${region}.codeartifact.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: placement.subnetIds,
            securityGroupIds: [securityGroup.id],
            region,
            tags: { Name: `${namePrefix}-codeartifact-${service}` },
          },
          { parent: this },
        ),
    );

    this.vpcId = placement.vpcId;
    this.subnetIds = placement.subnetIds;
    this.securityGroupId = securityGroup.id;
    this.endpointIds = pulumi
      .all(endpoints.map((e) => e.id))
      .apply((ids) =>
        Object.fromEntries(CODEARTIFACT_ENDPOINT_SERVICES.map((service, i) => [service, ids[i]])),
      );
    this.registerOutputs({
      vpcId: this.vpcId,
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroupId,
      endpointIds: this.endpointIds,
    });
  }

  private lookUpVpc(existing: ExistingVpc, region: string): VpcPlacement {
    const vpc = aws.ec2.getVpcOutput({ id: existing.vpcId, region }, { parent: this });
    return {
      vpcId: vpc.id,
      subnetIds: pulumi.output(existing.subnetIds),
      cidrBlocks: vpc.apply((v) => {
        requirePrivateDnsSupport(v);
        return vpcCidrBlocks(v);
      }),
    };
  }

  private createVpc(name: string, namePrefix: string, region: string, spec: NewVpc): VpcPlacement {
    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: spec.cidrBlock,
        numberOfAvailabilityZones: spec.availabilityZoneCount ?? 2,
        subnetStrategy: "Auto",
        subnetSpecs: [{ type: "Isolated", name: "isolated" }],
        natGateways: { strategy: "None" },
        // Private DNS on interface endpoints needs both attributes; awsx leaves hostnames off.
        enableDnsHostnames: true,
        enableDnsSupport: true,
        region,
        tags: { Name: `${namePrefix}-codeartifact` },
      },
      { parent: this },
    );
    return {
      vpcId: vpc.vpcId,
      subnetIds: vpc.isolatedSubnetIds,
      cidrBlocks: pulumi.output([spec.cidrBlock]),
    };
  }
}

function validateArgs(args: CodeArtifactNetworkArgs): void {
  checkNamePrefix("CodeArtifactNetwork", args.namePrefix);
  const problems: string[] = [];
  if (!AWS_REGION_PATTERN.test(args.region)) {
    problems.push(
      `region ${JSON.stringify(args.region)} is not an AWS region name; use one such as "eu-west-1".`,
    );
  }
  if ((args.existingVpc === undefined) === (args.newVpc === undefined)) {
    problems.push(
      "set exactly one of existingVpc (endpoints in your VPC) and newVpc (an isolated VPC is created).",
    );
  }
  const zones = args.newVpc?.availabilityZoneCount;
  if (zones !== undefined && (!Number.isInteger(zones) || zones < 1 || zones > 6)) {
    problems.push(`newVpc.availabilityZoneCount is ${zones}; use a whole number from 1 to 6.`);
  }
  if (problems.length > 0) throw new Error(`CodeArtifactNetwork: ${problems.join(" ")}`);
}

type VpcLookup = Pick<
  aws.ec2.GetVpcResult,
  "id" | "cidrBlock" | "cidrBlockAssociations" | "enableDnsHostnames" | "enableDnsSupport"
>;

/** The primary and every associated secondary IPv4 CIDR: clients may live in any of them. */
export function vpcCidrBlocks(vpc: VpcLookup): string[] {
  const associated = vpc.cidrBlockAssociations
    .filter((a) => a.state === "associated")
    .map((a) => a.cidrBlock);
  return [...new Set([vpc.cidrBlock, ...associated])];
}

const DNS_ATTRIBUTE_FLAGS = {
  enableDnsSupport: "--enable-dns-support",
  enableDnsHostnames: "--enable-dns-hostnames",
};

/** Private DNS for interface endpoints fails without both VPC DNS attributes. */
export function requirePrivateDnsSupport(vpc: VpcLookup): void {
  const off = (["enableDnsSupport", "enableDnsHostnames"] as const).filter((attribute) => !vpc[attribute]);
  if (off.length > 0) {
    const fixes = off.map((a) => `aws ec2 modify-vpc-attribute --vpc-id ${vpc.id} ${DNS_ATTRIBUTE_FLAGS[a]}`);
    throw new Error(
      `VPC ${vpc.id} has ${off.join(" and ")} turned off; CodeArtifact endpoints with private DNS need both on: ${fixes.join("; ")}.`,
    );
  }
}
