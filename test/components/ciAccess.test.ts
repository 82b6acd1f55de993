import { expect } from "chai";
import { CiAccess, CiAccessArgs } from "../../components/ciAccess";
import { settle, setupMocks } from "../mocks";

const VALID: CiAccessArgs = {
  namePrefix: "ppi-test",
  project: "python-package-index",
  stack: "test",
  oidcProvider: { mode: "create" },
  infraRepository: "acme/python-package-index",
  deployerTrust: [{ kind: "branch", pattern: "main", exclude: false }],
  bucketName: "ppi-test-index-bucket",
  scope: { region: "eu-west-1", replicaRegions: [] },
};

describe("CiAccess", () => {
  const misuse: [string, Partial<CiAccessArgs>, string][] = [
    [
      "an invalid name prefix",
      { namePrefix: "PPI test" },
      'CiAccess ci: namePrefix "PPI test" must be 1-28 lowercase letters, digits or dashes',
    ],
    [
      "package repositories without publisher trust and tenants",
      { packageRepositories: ["acme/acme-utils"] },
      "CiAccess ci: packageRepositories need publisherTrust and publisherTenants (which jobs publish, and where).",
    ],
  ];
  for (const [what, overrides, message] of misuse) {
    it(`refuses ${what} before registering anything`, async () => {
      const recorder = setupMocks();
      expect(() => new CiAccess("ci", { ...VALID, ...overrides })).to.throw(message);
      await settle();
      expect(recorder.resources).to.deep.equal([]);
    });
  }
});
