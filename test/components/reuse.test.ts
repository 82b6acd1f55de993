/**
 * Every component used the way another program would: other logical names, another name prefix,
 * its own tags, nothing from index.ts. Each child must be named after its component, parented to it,
 * carry the tags wherever the provider's typings say the type takes tags, and show no trace of this
 * program's own `ppi-<stack>` convention.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { CiAccess } from "../../components/ciAccess";
import { CiRole } from "../../components/ciRole";
import { CodeArtifactNetwork } from "../../components/codeArtifactNetwork";
import { CodeArtifactRepository } from "../../components/codeArtifactRepository";
import { CredentialsTable } from "../../components/credentialsTable";
import { DomainCertificate } from "../../components/domainCertificate";
import { EdgeFunction } from "../../components/edgeFunction";
import { EdgeWebAcl } from "../../components/edgeWebAcl";
import { GithubOidc } from "../../components/githubOidc";
import { PackageIndex } from "../../components/packageIndex";
import { PermissionsBoundary } from "../../components/permissionsBoundary";
import { policyDocument } from "../../components/policies/document";
import { PrivateBucket } from "../../components/privateBucket";
import { CHANNEL_TAG_KEY } from "../../domain/storageLayout";
import { viewerRequestHandlerFactory } from "../../edge/handler";
import { TEST_HANDLER_CONFIG } from "../../fixtures/edgeKeys";
import { RecordedResource, ResourceRecorder, settle, setupMocks } from "../mocks";

const NODE_MODULES = path.resolve(__dirname, "..", "..", "node_modules", "@pulumi");
const TAGS = { Team: "qa", CostCenter: "42" };
const PREFIX = "acme-qa";

/** Whether the provider's typings give the type's Args a `tags` input, e.g. `aws:s3/bucket:Bucket`. */
function takesTags(type: string): boolean {
  const [pkg, module, className] = type.split(":");
  const file =
    pkg === "aws"
      ? `${module.split("/")[0]}/${module.split("/")[1]}.d.ts`
      : `${module}/${className[0].toLowerCase()}${className.slice(1)}.d.ts`;
  const typings = fs.readFileSync(path.join(NODE_MODULES, pkg, file), "utf8");
  const args = new RegExp(`export interface ${className}Args \\{([^]*?)\\n\\}`).exec(typings);
  if (!args) throw new Error(`no ${className}Args in ${pkg}/${file}`);
  return /\n\s+(readonly )?tags\?:/.test(args[1]);
}

/** Physical names a resource takes from its inputs (the ones a name prefix should show up in). */
function physicalName(resource: RecordedResource): string | undefined {
  const { inputs } = resource;
  return inputs.bucketPrefix ?? inputs.domain ?? (typeof inputs.name === "string" ? inputs.name : undefined);
}

const CALLER = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: "210987654321",
    arn: "arn:aws:sts::210987654321:assumed-role/admin/qa",
    userId: "AROAEXAMPLE:qa",
    id: "210987654321",
  }),
};

interface Case {
  readonly component: string;
  readonly build: (name: string) => unknown;
  /** Children named after the custom domain or set by AWS, not by the prefix. */
  readonly unprefixed?: readonly string[];
}

const CASES: Case[] = [
  {
    component: "PrivateBucket",
    build: (name) => new PrivateBucket(name, { bucketPrefix: `${PREFIX}-data-`, tags: TAGS }),
  },
  {
    component: "PackageIndex",
    build: (name) =>
      new PackageIndex(name, {
        namePrefix: PREFIX,
        viewerRequestFunctionArn: "arn:aws:lambda:us-east-1:210987654321:function:acme-qa-auth:3",
        customDomain: { name: "packages.acme.test", hostedZoneId: "ZACME" },
        accessLogs: true,
        wafRateLimit: 100,
        tags: TAGS,
      }),
    unprefixed: ["aws:route53/record:Record"],
  },
  {
    component: "DomainCertificate",
    build: (name) =>
      new DomainCertificate(name, { domainName: "packages.acme.test", hostedZoneId: "ZACME", tags: TAGS }),
    unprefixed: ["aws:route53/record:Record"],
  },
  {
    component: "EdgeWebAcl",
    build: (name) => new EdgeWebAcl(name, { namePrefix: PREFIX, rateLimit: 100, tags: TAGS }),
  },
  {
    component: "EdgeFunction",
    build: (name) =>
      new EdgeFunction(name, {
        functionName: `${PREFIX}-auth`,
        handlerFactory: viewerRequestHandlerFactory,
        handlerConfig: { ...TEST_HANDLER_CONFIG, tableName: `${PREFIX}-keys` },
        logRegions: ["us-east-1", "eu-central-1"],
        tags: TAGS,
      }),
  },
  {
    component: "CredentialsTable",
    build: (name) =>
      new CredentialsTable(name, { namePrefix: PREFIX, replicaRegions: ["eu-central-1"], tags: TAGS }),
  },
  {
    component: "PermissionsBoundary",
    build: (name) => new PermissionsBoundary(name, { namePrefix: PREFIX, tags: TAGS }),
  },
  {
    component: "CiRole",
    build: (name) =>
      new CiRole(name, {
        roleName: `${PREFIX}-release`,
        description: "Releases",
        assumeRolePolicy: policyDocument([]),
        policies: { read: policyDocument([]) },
        tags: TAGS,
      }),
  },
  {
    component: "GithubOidc",
    build: (name) => new GithubOidc(name, { mode: "create", pulumiOrganization: "acme", tags: TAGS }),
    unprefixed: ["aws:iam/openIdConnectProvider:OpenIdConnectProvider"],
  },
  {
    component: "CiAccess",
    build: (name) =>
      new CiAccess(name, {
        namePrefix: PREFIX,
        project: "platform",
        stack: "qa",
        oidcProvider: { mode: "create" },
        infraRepository: "acme/platform",
        deployerTrust: [{ kind: "environment", name: "qa" }],
        packageRepositories: ["acme/lib"],
        publisherTrust: [{ kind: "environment", name: "qa" }],
        publisherTenants: ["acme"],
        bucketName: `${PREFIX}-index-bucket`,
        scope: { stackTag: "qa", region: "eu-central-1", replicaRegions: [] },
        tags: TAGS,
      }),
    unprefixed: ["aws:iam/openIdConnectProvider:OpenIdConnectProvider"],
  },
  {
    component: "CodeArtifactRepository",
    build: (name) =>
      new CodeArtifactRepository(name, {
        namePrefix: PREFIX,
        region: "eu-central-1",
        repositoryName: "python",
        readAccountIds: ["111111111111"],
        tags: TAGS,
      }),
    // Repository names are the user's choice (and pypi-store's is fixed); the domain carries the prefix.
    unprefixed: ["aws:codeartifact/repository:Repository"],
  },
  {
    component: "CodeArtifactNetwork",
    build: (name) =>
      new CodeArtifactNetwork(name, {
        namePrefix: PREFIX,
        region: "eu-central-1",
        newVpc: { cidrBlock: "10.90.0.0/20" },
        tags: TAGS,
      }),
  },
];

describe("components reused outside index.ts", () => {
  for (const { component, build, unprefixed = [] } of CASES) {
    describe(component, () => {
      const name = `qa-${component.toLowerCase()}`;
      let recorder: ResourceRecorder;
      let children: RecordedResource[];
      before(async () => {
        recorder = await setupMocks({ stack: "qa", invokes: CALLER });
        build(name);
        await settle();
        // The component itself is the first registration; everything after it is its subtree.
        expect(recorder.resources[0]).to.include({ name, custom: false });
        children = recorder.resources.slice(1);
        expect(children.length, "children").to.be.greaterThan(0);
      });

      it("names every child after the component and parents it there", () => {
        const componentIds = new Set(
          recorder.resources.filter((r) => !r.custom).map((r) => `${r.type}::${r.name}`),
        );
        for (const child of children) {
          expect(child.name, child.type).to.satisfy((n: string) => n === name || n.startsWith(`${name}-`));
          expect(
            componentIds.has(child.parent ?? ""),
            `${child.type} ${child.name} parent ${child.parent}`,
          ).to.equal(true);
        }
      });

      it("tags every child whose type takes tags", () => {
        const taggable = children.filter(
          (r) => !r.type.startsWith("python-package-index:") && takesTags(r.type),
        );
        expect(taggable.length, "taggable children").to.be.greaterThan(0);
        for (const child of taggable)
          expect(child.inputs.tags, `${child.type} ${child.name}`).to.deep.include(TAGS);
      });

      it(`spells the given prefix into physical names, never ppi-`, () => {
        // The storage layout's object tag key (`ppi-channel-kind`) is a contract of the data, not a name.
        const inputs = JSON.stringify(children.map((r) => r.inputs))
          .split(CHANNEL_TAG_KEY)
          .join("");
        expect(inputs).not.to.contain("ppi-");
        for (const child of children.filter((r) => r.custom && !unprefixed.includes(r.type))) {
          const physical = physicalName(child);
          if (physical !== undefined) expect(physical, `${child.type} ${child.name}`).to.contain(PREFIX);
        }
      });
    });
  }
});
