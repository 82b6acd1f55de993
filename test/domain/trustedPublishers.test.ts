import { expect } from "chai";
import { githubRepositoryProblem, githubWorkflowProblem } from "../../domain/github";
import {
  TrustedPublisher,
  trustedPublishersFromItem,
  trustedPublishersToItem,
} from "../../domain/trustedPublishers";

describe("domain: trusted publishers", () => {
  it("accepts GitHub repository names as GitHub spells them and refuses the others", () => {
    const cases: [string, boolean][] = [
      ["acme/widgets", true],
      ["Acme-Corp/my.repo_2", true],
      ["a/.github", true],
      ["acme/.", false],
      ["acme/..", false],
      ["-acme/widgets", false],
      ["acme", false],
      ["acme/widgets/extra", false],
      ["acme/wid gets", false],
      [`${"a".repeat(40)}/x`, false],
      [`acme/${"x".repeat(101)}`, false],
    ];
    for (const [name, valid] of cases) {
      expect(githubRepositoryProblem(name) === undefined, name).to.equal(valid);
    }
    expect(githubRepositoryProblem("acme/..")).to.equal(
      `"acme/.." is not a GitHub repository: use owner/name, the owner 1-39 letters, digits or dashes (not starting with a dash), the name 1-100 letters, digits, ".", "_" or "-" (not "." or ".."), e.g. acme/widgets`,
    );
  });

  it("accepts a workflow file name in .github/workflows and says how to fix a path", () => {
    const cases: [string, string | undefined][] = [
      ["release.yml", undefined],
      ["publish.yaml", undefined],
      [
        ".github/workflows/release.yml",
        `".github/workflows/release.yml" is not a workflow file name in .github/workflows/ (give the file name alone: release.yml)`,
      ],
      [
        "release",
        `"release" is not a workflow file name in .github/workflows/ (letters, digits, ".", "_" or "-", ending in .yml or .yaml, e.g. release.yml)`,
      ],
      [
        "../release.yml",
        `"../release.yml" is not a workflow file name in .github/workflows/ (give the file name alone: release.yml)`,
      ],
      [
        "rel ease.yml",
        `"rel ease.yml" is not a workflow file name in .github/workflows/ (letters, digits, ".", "_" or "-", ending in .yml or .yaml, e.g. release.yml)`,
      ],
    ];
    for (const [name, problem] of cases) expect(githubWorkflowProblem(name), name).to.equal(problem);
  });

  const publisher: TrustedPublisher = {
    tenant: "acme",
    repository: "acme/widgets",
    repositoryId: "123",
    repositoryOwnerId: "45",
    workflow: "release.yml",
    environment: "pypi",
    projects: ["widgets"],
  };

  it("round-trips a repository's item", () => {
    const item = trustedPublishersToItem("123", [publisher], 3);
    expect(item.publicKey).to.deep.equal({ S: "github-repository:123" });
    expect(item).to.not.have.property("tenant"); // never in the tenant index of keys
    expect(trustedPublishersFromItem(item, "123")).to.deep.equal({ publishers: [publisher], revision: 3 });
  });

  it("reads a malformed item as nothing, never as a wider publisher", () => {
    const good = trustedPublishersToItem("123", [publisher], 1);
    const json = (entries: unknown) => ({ ...good, trustedPublishers: { S: JSON.stringify(entries) } });
    const cases: [string, Record<string, { S?: string; N?: string }>][] = [
      ["another repository's key", { ...good, publicKey: { S: "github-repository:124" } }],
      ["no revision", { publicKey: good.publicKey, trustedPublishers: good.trustedPublishers }],
      ["not JSON", { ...good, trustedPublishers: { S: "{" } }],
      ["not an array", json({})],
      ["an entry of another repository id", json([{ ...publisher, repositoryId: "999" }])],
      ["empty project list", json([{ ...publisher, projects: [] }])],
      ["unnormalized project", json([{ ...publisher, projects: ["Widgets"] }])],
      ["bad workflow", json([{ ...publisher, workflow: "x/y.yml" }])],
      ["numeric id", json([{ ...publisher, repositoryOwnerId: 45 }])],
      ["environment not a string", json([{ ...publisher, environment: true }])],
    ];
    for (const [name, item] of cases)
      expect(trustedPublishersFromItem(item, "123"), name).to.equal(undefined);
  });
});
