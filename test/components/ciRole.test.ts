import { expect } from "chai";
import { CiRole, CiRoleArgs } from "../../components/ciRole";
import { policyDocument } from "../../components/policies/document";
import { expectRefusedBeforeRegistering, settle, setupMocks } from "../mocks";

const TRUST = policyDocument([
  {
    Effect: "Allow",
    Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/x" },
    Action: "sts:AssumeRoleWithWebIdentity",
  },
]);
const READ = policyDocument([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }]);
const VALID: CiRoleArgs = {
  roleName: "ppi-test-deployer",
  description: "Runs pulumi up for stack test.",
  assumeRolePolicy: TRUST,
  policies: { read: READ },
};

describe("CiRole", () => {
  it("trusts exactly the given policy, caps sessions at an hour and attaches each policy it creates", async () => {
    const recorder = await setupMocks();
    const role = new CiRole("ci-deployer", {
      ...VALID,
      additionalPolicyArns: ["arn:aws:iam::123456789012:policy/extra"],
    });
    await settle();
    const registered = recorder.one("aws:iam/role:Role");
    expect(JSON.parse(registered.inputs.assumeRolePolicy)).to.deep.equal(TRUST);
    expect(registered.inputs.maxSessionDuration).to.be.at.most(3600);
    const policy = recorder.one("aws:iam/policy:Policy");
    expect(policy.inputs.name).to.equal("ppi-test-deployer-read");
    expect(JSON.parse(policy.inputs.policy)).to.deep.equal(READ);
    const attached = recorder.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(attached.map((a) => a.inputs.role)).to.deep.equal([
      registered.outputs.name,
      registered.outputs.name,
    ]);
    expect(attached.map((a) => a.inputs.policyArn)).to.have.members([
      policy.outputs.arn,
      "arn:aws:iam::123456789012:policy/extra",
    ]);
    expect(Object.keys(role.policies)).to.deep.equal(["read"]);
  });

  const misuse: [string, Partial<CiRoleArgs>, string][] = [
    [
      "a role name with spaces",
      { roleName: "ppi test" },
      'CiRole bad: roleName "ppi test" must be 1-64 characters of letters, digits and +=,.@_-.',
    ],
    [
      "a session over one hour",
      { maxSessionDuration: 7200 },
      "CiRole bad: maxSessionDuration is 7200; expected a whole number from 900 to 3600.",
    ],
    [
      "a session under STS's minimum",
      { maxSessionDuration: 600 },
      "CiRole bad: maxSessionDuration is 600; expected a whole number from 900 to 3600.",
    ],
    [
      "an uppercase policy key",
      { policies: { Read: READ } },
      'CiRole bad: policy key "Read" must be 1-20 lowercase letters, digits or dashes.',
    ],
  ];
  for (const [what, overrides, message] of misuse) {
    it(`refuses ${what} before registering anything`, () =>
      expectRefusedBeforeRegistering(() => new CiRole("bad", { ...VALID, ...overrides }), message));
  }
});
