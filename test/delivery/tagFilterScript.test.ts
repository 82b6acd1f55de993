import { expect } from "chai";
import { applyTagFilters, buildTagFilterPatch, parseCli } from "../../scripts/applyDeploymentTagFilters";
import { PulumiCloud } from "../../scripts/pulumiCloud";
import { startFakePulumiCloud } from "./fakePulumiCloud";

const STAGING = ["python-package-index@v[0-9]*-staging"];
const PROD = ["python-package-index@v[0-9]*", "!python-package-index@v*-*"];

describe("delivery: applyDeploymentTagFilters payload builder", () => {
  const CASES: ReadonlyArray<
    [string, Parameters<typeof buildTagFilterPatch>, ReturnType<typeof buildTagFilterPatch>]
  > = [
    [
      "prod, vcs block, native trigger off",
      [
        "prod",
        { vcs: { provider: "github", repository: "a/b", deployCommits: false } },
        { deployTags: false },
      ],
      {
        block: "vcs",
        payload: { vcs: { deployTags: false, tagFilters: PROD } },
        merged: {
          provider: "github",
          repository: "a/b",
          deployCommits: false,
          deployTags: false,
          tagFilters: PROD,
        },
      },
    ],
    [
      "staging, native trigger on, replacing old filters",
      [
        "staging",
        { vcs: { repository: "a/b", deployTags: false, tagFilters: ["v*"] } },
        { deployTags: true },
      ],
      {
        block: "vcs",
        payload: { vcs: { deployTags: true, tagFilters: STAGING } },
        merged: { repository: "a/b", deployTags: true, tagFilters: STAGING },
      },
    ],
    [
      "dev never deploys tags, even with --deploy-tags",
      ["dev", { vcs: { repository: "a/b" } }, { deployTags: true }],
      {
        block: "vcs",
        payload: { vcs: { deployTags: false, tagFilters: [] } },
        merged: { repository: "a/b", deployTags: false, tagFilters: [] },
      },
    ],
    [
      "legacy gitHub block",
      ["prod", { gitHub: { repository: "a/b" } }, { deployTags: false }],
      {
        block: "gitHub",
        payload: { gitHub: { deployTags: false, tagFilters: PROD } },
        merged: { repository: "a/b", deployTags: false, tagFilters: PROD },
      },
    ],
  ];
  for (const [what, args, expected] of CASES) {
    it(what, () => expect(buildTagFilterPatch(...args)).to.deep.equal(expected));
  }

  it("refuses a stack without VCS settings and says how to fix it", () => {
    expect(() => buildTagFilterPatch("prod", { sourceContext: {} }, { deployTags: false })).to.throw(
      /stack prod has no VCS integration.*run `pulumi up` in deployments\/ first/,
    );
  });

  it("parses the command line and names bad input", () => {
    expect(parseCli(["--organization", "acme", "--stacks", "prod", "--dry-run"], {})).to.deep.equal({
      organization: "acme",
      project: "python-package-index",
      stacks: ["prod"],
      deployTags: false,
      dryRun: true,
    });
    expect(parseCli([], { PULUMI_ORGANIZATION: "env-org" }).organization).to.equal("env-org");
    expect(() => parseCli([], {})).to.throw(/--organization \(or PULUMI_ORGANIZATION\) is required/);
    expect(() => parseCli(["--organization", "a", "--stacks", "prod,qa"], {})).to.throw(/--stacks has "qa"/);
    expect(() => parseCli(["--organization", "a", "--bogus"], {})).to.throw(/bogus/);
  });
});

describe("delivery: applyDeploymentTagFilters against a fake Pulumi Cloud", () => {
  const settings = { vcs: { provider: "github", repository: "acme/python-package-index" } };

  it("reads, then merge-patches each stack, authenticating with the token", async () => {
    const cloud = await startFakePulumiCloud((r) =>
      r.method === "GET" ? { status: 200, body: settings } : { status: 204 },
    );
    try {
      const options = parseCli(["--organization", "acme", "--stacks", "staging,prod"], {});
      await applyTagFilters(options, new PulumiCloud("tok-123", cloud.url), () => undefined);
      expect(cloud.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        "GET /api/stacks/acme/python-package-index/staging/deployments/settings",
        "POST /api/stacks/acme/python-package-index/staging/deployments/settings",
        "GET /api/stacks/acme/python-package-index/prod/deployments/settings",
        "POST /api/stacks/acme/python-package-index/prod/deployments/settings",
      ]);
      expect(cloud.requests[3].body).to.deep.equal({ vcs: { deployTags: false, tagFilters: PROD } });
      expect(cloud.requests[0].headers.authorization).to.equal("token tok-123");
      expect(cloud.requests[0].headers.accept).to.equal("application/vnd.pulumi+8");
    } finally {
      await cloud.close();
    }
  });

  it("writes nothing on --dry-run and prints the payload", async () => {
    const cloud = await startFakePulumiCloud(() => ({ status: 200, body: settings }));
    try {
      const lines: string[] = [];
      await applyTagFilters(
        parseCli(["--organization", "acme", "--dry-run"], {}),
        new PulumiCloud("t", cloud.url),
        (l) => lines.push(l),
      );
      expect(cloud.requests.every((r) => r.method === "GET")).to.equal(true);
      expect(lines).to.include(
        `would POST /api/stacks/acme/python-package-index/prod/deployments/settings ${JSON.stringify({ vcs: { deployTags: false, tagFilters: PROD } })}`,
      );
    } finally {
      await cloud.close();
    }
  });

  it("stops with the status and a hint when the token is refused", async () => {
    const cloud = await startFakePulumiCloud(() => ({ status: 403, body: { message: "forbidden" } }));
    try {
      const run = applyTagFilters(
        parseCli(["--organization", "acme"], {}),
        new PulumiCloud("t", cloud.url),
        () => undefined,
      );
      await run.then(
        () => expect.fail("expected a rejection"),
        (error: Error) =>
          expect(error.message).to.match(
            /GET \/api\/stacks\/acme\/.* answered 403 \(check the token and its scope\)/,
          ),
      );
      expect(cloud.requests).to.have.length(1);
    } finally {
      await cloud.close();
    }
  });

  it("needs a token and says where to get one", () => {
    expect(() => PulumiCloud.fromEnv({})).to.throw(/PULUMI_ACCESS_TOKEN is not set.*pulumi\/auth-actions/);
  });
});
