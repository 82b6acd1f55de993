import { expect } from "chai";
import { checkAgainstReference } from "../../policy-pack/iam/referenceChecks";
import { POLICY_PROPERTIES, declaredPolicies } from "../../policy-pack/iam/stackPolicies";
import { ProgramRun, runProgram } from "../support/program";

const STACKS = ["dev", "staging", "prod"] as const;

describe("program: every IAM document reads as written in AWS's authorization data", () => {
  const runs = new Map<string, ProgramRun>();
  before(async () => {
    for (const stack of STACKS) runs.set(stack, await runProgram(stack));
  });
  const resourcesOf = (stack: string) =>
    runs.get(stack)!.recorder.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));

  for (const stack of STACKS) {
    it(`${stack}: every identity, trust and resource policy passes the reference checks`, async () => {
      const policies = declaredPolicies(resourcesOf(stack));
      const findings: string[] = [];
      for (const policy of policies) {
        for (const finding of await checkAgainstReference(policy.document, policy.kind)) {
          findings.push(`${policy.owner}: ${finding.check} ${finding.message}`);
        }
      }
      expect(findings).to.deep.equal([]);
      // Identity, trust and resource policies are all there: the checks ran on each kind.
      expect([...new Set(policies.map((p) => p.kind))].sort()).to.deep.equal([
        "identity",
        "resource",
        "trust",
      ]);
    });

    it(`${stack}: no other input of any resource holds a policy document the checks would miss`, () => {
      const unchecked = resourcesOf(stack).flatMap((resource) =>
        Object.entries(resource.props)
          .filter(([, value]) => typeof value === "string" && /"Statement"\s*:/.test(value))
          .filter(([property]) => POLICY_PROPERTIES[resource.type]?.property !== property)
          .map(([property]) => `${resource.type} ${resource.name}.${property}`),
      );
      expect(unchecked).to.deep.equal([]);
    });
  }
});
