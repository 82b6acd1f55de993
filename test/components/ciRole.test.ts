import { expect } from "chai";
import { CiRole, CiRoleArgs } from "../../components/ciRole";
import { policyDocument } from "../../components/policies/document";
import { settle, setupMocks } from "../mocks";

const VALID: CiRoleArgs = {
  roleName: "ppi-test-deployer",
  description: "Runs pulumi up for stack test.",
  assumeRolePolicy: policyDocument([]),
  policies: { read: policyDocument([]) },
};

describe("CiRole", () => {
  it("registers the role with a one-hour session cap, one policy and its attachment", async () => {
    const recorder = setupMocks();
    new CiRole("ci-deployer", VALID);
    await settle();
    expect(recorder.one("aws:iam/role:Role").inputs).to.deep.include({
      name: "ppi-test-deployer",
      maxSessionDuration: 3600,
    });
    expect(recorder.one("aws:iam/policy:Policy").inputs.name).to.equal("ppi-test-deployer-read");
    expect(recorder.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.have.length(1);
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
      { policies: { Read: policyDocument([]) } },
      'CiRole bad: policy key "Read" must be 1-20 lowercase letters, digits or dashes.',
    ],
  ];
  for (const [what, overrides, message] of misuse) {
    it(`refuses ${what} before registering anything`, async () => {
      const recorder = setupMocks();
      expect(() => new CiRole("bad", { ...VALID, ...overrides })).to.throw(message);
      await settle();
      expect(recorder.resources).to.deep.equal([]);
    });
  }
});
