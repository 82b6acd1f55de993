/**
 * `trusted-publishers add|list|remove` against moto, with a loopback stand-in for the GitHub API
 * (GITHUB_API_URL), so no test needs the internet.
 */
import * as http from "http";
import { expect } from "chai";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { runCli } from "../../cli/run";
import { MotoIndex, startMotoIndex } from "../../fixtures/motoIndex";

describe("cli: trusted-publishers add|list|remove @integration", () => {
  let fixture: MotoIndex;
  let github: http.Server;
  let env: Record<string, string>;
  const apiRequests: { url: string; authorization?: string }[] = [];
  before(async () => {
    fixture = await startMotoIndex();
    github = http.createServer((req, res) => {
      apiRequests.push({
        url: req.url ?? "",
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const repositories: Record<string, unknown> = {
        "/repos/acme/widgets": { id: 1001, full_name: "acme/widgets", owner: { id: 77 } },
        "/repos/acme/old-name": { id: 1002, full_name: "acme/new-name", owner: { id: 77 } },
      };
      const body = repositories[req.url ?? ""];
      res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(body ?? { message: "Not Found" }));
    });
    await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
    env = {
      ...fixture.moto.env,
      PACKAGE_INDEX_TABLE: fixture.table,
      PACKAGE_INDEX_TABLE_REGION: "us-east-1",
      GITHUB_API_URL: `http://127.0.0.1:${(github.address() as { port: number }).port}`,
      CI: "true",
    };
  });
  after(async () => {
    github?.close();
    await fixture?.stop();
  });

  /** The options naming the acme/widgets publisher of tenant acme. */
  const WIDGETS = ["--tenant", "acme", "--repository", "acme/widgets", "--workflow", "release.yml"];

  async function cli(args: string[], extraEnv: Record<string, string> = {}) {
    let stdout = "";
    let stderr = "";
    const code = await runCli(["trusted-publishers", ...args], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: { ...env, ...extraEnv },
    });
    return { code, stdout, stderr };
  }
  const publisherItems = async () =>
    (
      await fixture.dynamodb.send(new ScanCommand({ TableName: fixture.table, ConsistentRead: true }))
    ).Items!.filter((item) => item.publicKey.S!.startsWith("github-repository:"));

  it("adds a publisher with ids from the GitHub API, lists and removes it", async () => {
    let keysListed = "";
    const added = await cli(
      ["add", ...WIDGETS, "--environment", "pypi", "--projects", "Widgets_Core,widgets", "--json"],
      { GITHUB_TOKEN: "ghs_test" },
    );
    expect(added.stderr).to.equal("");
    expect(JSON.parse(added.stdout)).to.deep.equal({
      tenant: "acme",
      repository: "acme/widgets",
      repositoryId: "1001",
      repositoryOwnerId: "77",
      workflow: "release.yml",
      environment: "pypi",
      projects: ["widgets", "widgets-core"],
      replaced: false,
    });
    expect(apiRequests.at(-1)).to.deep.equal({
      url: "/repos/acme/widgets",
      authorization: "Bearer ghs_test",
    });
    const listed = await cli(["list", "--tenant", "acme"]);
    expect(listed.stdout).to.equal(
      "acme  acme/widgets (id 1001, owner id 77)  release.yml  environment pypi  projects widgets,widgets-core\n",
    );
    expect((await cli(["list", "--tenant", "globex"])).stdout).to.equal("no trusted publishers\n");
    // The publisher's item is no key: `keys list` (a scan without --tenant) never shows it.
    const keys = await runCli(["keys", "list", "--json"], {
      stdout: { write: (t: string) => (keysListed += t) },
      stderr: { write: () => undefined },
      env,
    });
    expect(keys).to.equal(0);
    expect(JSON.parse(keysListed)).to.deep.equal([]);
    // The same publisher again replaces it (here: all projects).
    const replaced = await cli(["add", ...WIDGETS, "--environment", "PyPI"]);
    expect(replaced.stdout).to.equal(
      "Replaced trusted publisher acme  acme/widgets (id 1001, owner id 77)  release.yml  environment PyPI  all projects\n",
    );
    const removed = await cli([
      "remove",
      "--tenant",
      "acme",
      "--repository",
      "ACME/Widgets",
      "--workflow",
      "release.yml",
      "--environment",
      "pypi",
    ]);
    expect(removed.code).to.equal(0);
    expect(await publisherItems()).to.deep.equal([]);
  });

  it("takes the ids from flags without calling GitHub", async () => {
    const before = apiRequests.length;
    const added = await cli([
      "add",
      "--tenant",
      "acme",
      "--repository",
      "acme/offline",
      "--workflow",
      "ci.yaml",
      "--repository-id",
      "5",
      "--owner-id",
      "6",
    ]);
    expect(added.code).to.equal(0);
    expect(apiRequests.length).to.equal(before);
    expect(
      (await cli(["remove", "--tenant", "acme", "--repository", "acme/offline", "--workflow", "ci.yaml"]))
        .code,
    ).to.equal(0);
  });

  it("refuses bad input with an exact error and writes nothing", async () => {
    const base = ["add", ...WIDGETS];
    const cases: [string[], string][] = [
      [
        ["add", "--tenant", "acme", "--workflow", "release.yml"],
        "error: trusted-publishers add needs --repository OWNER/NAME\n",
      ],
      [
        ["add", "--tenant", "acme", "--repository", "acme/widgets"],
        "error: trusted-publishers add needs --workflow FILE (e.g. release.yml)\n",
      ],
      [
        ["add", "--tenant", "acme", "--repository", "acme", "--workflow", "release.yml"],
        `error: invalid --repository: "acme" is not a GitHub repository: use owner/name, the owner 1-39 letters, digits or dashes (not starting with a dash), the name 1-100 letters, digits, ".", "_" or "-" (not "." or ".."), e.g. acme/widgets\n`,
      ],
      [
        [
          "add",
          "--tenant",
          "acme",
          "--repository",
          "acme/widgets",
          "--workflow",
          ".github/workflows/release.yml",
        ],
        `error: invalid --workflow: ".github/workflows/release.yml" is not a workflow file name in .github/workflows/ (give the file name alone: release.yml)\n`,
      ],
      [
        [...base, "--environment", "a b"],
        `error: invalid --environment "a b": a GitHub environment name is 1-255 letters, digits, ".", "_" or "-"\n`,
      ],
      [
        [...base, "--projects", "../x"],
        `error: invalid project "../x" in --projects: use Python project names (letters, digits, ".", "_", "-", starting and ending with a letter or digit), e.g. --projects demo,other-lib\n`,
      ],
      [
        [...base, "--repository-id", "12"],
        "error: give both --repository-id and --owner-id, or neither (then they are looked up from the GitHub API)\n",
      ],
      [
        [...base, "--repository-id", "0x1", "--owner-id", "2"],
        `error: invalid --repository-id "0x1": GitHub's repository id is a positive whole number (the "id" of GET /repos/OWNER/NAME)\n`,
      ],
      [
        ["add", "--tenant", "Acme", "--repository", "acme/widgets", "--workflow", "release.yml"],
        `error: invalid tenant "Acme": use 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit\n`,
      ],
      [
        ["add", "--tenant", "acme", "--repository", "acme/missing", "--workflow", "release.yml"],
        `error: GitHub has no repository acme/missing at ${env.GITHUB_API_URL}/repos/acme/missing (a private one needs GITHUB_TOKEN); check the name, or pass --repository-id and --owner-id\n`,
      ],
      [
        ["add", "--tenant", "acme", "--repository", "acme/old-name", "--workflow", "release.yml"],
        "error: acme/old-name was renamed to acme/new-name: use --repository acme/new-name\n",
      ],
      [
        ["remove", ...WIDGETS],
        "error: tenant acme has no trusted publisher acme/widgets release.yml; see `trusted-publishers list --tenant acme`\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await cli(args);
      expect(result.stderr, args.join(" ")).to.equal(stderr);
      expect(result.code, args.join(" ")).to.be.greaterThan(0);
    }
    expect(await publisherItems()).to.deep.equal([]);
  });

  it("keeps a repository to one tenant and its stored owner id", async () => {
    const add = (tenant: string, ownerId: string) =>
      cli([
        "add",
        "--tenant",
        tenant,
        "--repository",
        "acme/shared",
        "--workflow",
        "release.yml",
        "--repository-id",
        "900",
        "--owner-id",
        ownerId,
      ]);
    expect((await add("acme", "8")).code).to.equal(0);
    expect((await add("globex", "8")).stderr).to.equal(
      "error: acme/shared (id 900) already publishes to tenant acme: a repository publishes to one tenant; remove its publishers there first (trusted-publishers list --tenant acme)\n",
    );
    expect((await add("acme", "9")).stderr).to.equal(
      "error: repository id 900 is stored with owner id 8, not 9: check --owner-id\n",
    );
    expect((await cli(["list", "--json"])).stdout).to.equal(
      JSON.stringify(
        [
          {
            tenant: "acme",
            repository: "acme/shared",
            repositoryId: "900",
            repositoryOwnerId: "8",
            workflow: "release.yml",
          },
        ],
        null,
        2,
      ) + "\n",
    );
    await cli(["remove", "--tenant", "acme", "--repository", "acme/shared", "--workflow", "release.yml"]);
  });
});
