/**
 * The real CLI as a process: exit codes, one-line reasons on stderr, `--json` on stdout.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildWheel } from "../../publishing/wheelBuilder";
import { MotoIndex, startMotoIndex } from "../../fixtures/motoIndex";
import { spawnCli as runCli } from "./support/spawnCli";

describe("cli: the command as a process @integration", () => {
  let fixture: MotoIndex;
  let home: string;
  let env: Record<string, string>;
  before(async () => {
    fixture = await startMotoIndex();
    home = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-cli-"));
    env = {
      ...fixture.moto.env,
      HOME: home,
      PACKAGE_INDEX_BUCKET: (await fixture.newStore()).bucket,
      PACKAGE_INDEX_TABLE: fixture.table,
    };
  });
  after(async () => {
    await fixture?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it("answers --help with exit 0 and an unknown command with exit 2 and one line", async () => {
    const help = await runCli(["publish", "--help"], {});
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: npm run cli -- publish --tenant T \[--channel C\] FILE\.\.\./);
    const unknown = await runCli(["frobnicate"], {});
    expect([unknown.code, unknown.stdout, unknown.stderr]).to.deep.equal([
      2,
      "",
      'error: unknown command "frobnicate"; see --help\n',
    ]);
  });

  it("refuses to run without a target or without AWS credentials, in one line, writing nothing", async () => {
    const wheel = buildWheel({ name: "x", version: "1" });
    const file = path.join(home, wheel.filename);
    fs.writeFileSync(file, wheel.bytes);
    const noTarget = await runCli(["publish", "--tenant", "acme", file], {
      HOME: home,
      AWS_REGION: "us-east-1",
    });
    expect(noTarget.code).to.equal(1);
    expect(noTarget.stderr).to.equal(
      "error: no bucket given: pass --stack-outputs FILE (from `pulumi stack output --json`), or set it with a flag or environment variable (--bucket / PACKAGE_INDEX_BUCKET)\n",
    );
    const noCredentials = await runCli(["publish", "--tenant", "acme", file], {
      HOME: home,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: fixture.moto.endpoint,
      PACKAGE_INDEX_BUCKET: env.PACKAGE_INDEX_BUCKET,
      AWS_CONFIG_FILE: path.join(home, "none"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(noCredentials.code).to.equal(1);
    expect(noCredentials.stderr).to.match(
      /^error: no AWS credentials found \(.*\); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available \(e\.g\. CI with OIDC\)\n$/,
    );
    const listed = await runCli(["list", "--tenant", "acme", "--json"], env);
    expect(JSON.parse(listed.stdout)).to.deep.equal({ projects: [] });
  });

  it("creates a key (--json and human), publishes, lists, and refuses a corrupt file with exit 1", async () => {
    const created = await runCli(["keys", "create", "--tenant", "acme", "--json"], env);
    expect([created.code, created.stderr]).to.deep.equal([0, ""]);
    const key = JSON.parse(created.stdout);
    expect(key).to.include({ tenant: "acme", status: "active" });
    expect(key.publicKey).to.match(/^ppi_/);
    expect(key.secretKey).to.match(/^ppisk_/);

    const human = await runCli(
      ["keys", "create", "--tenant", "acme", "--index-url", "https://pkgs.example.com/simple/"],
      env,
    );
    expect(human.code).to.equal(0);
    const [, pub, secret] = /public key: (\S+)\n\s+secret key: (\S+)/.exec(human.stdout)!;
    expect(human.stdout).to.include(
      `pip install --index-url https://${pub}:${secret}@pkgs.example.com/simple/ <package>`,
    );
    expect(human.stdout).to.include(`export UV_INDEX_PPI_PASSWORD=${secret}`);
    expect(human.stdout).to.include(`poetry config http-basic.ppi ${pub} ${secret}`);

    const keys = await runCli(["keys", "list", "--tenant", "acme", "--json"], env);
    const listedKeys = JSON.parse(keys.stdout) as Record<string, unknown>[];
    expect(listedKeys.map((k) => k.publicKey).sort()).to.deep.equal([key.publicKey, pub].sort());
    expect(keys.stdout).to.not.include(key.secretKey);
    expect(keys.stdout).to.not.include(secret);

    const wheel = buildWheel({ name: "Hello.World", version: "0.1" });
    const good = path.join(home, wheel.filename);
    fs.writeFileSync(good, wheel.bytes);
    const published = await runCli(["publish", "--tenant", "acme", good, "--json"], env);
    expect(published.code).to.equal(0);
    expect(JSON.parse(published.stdout)).to.deep.equal({
      tenant: "acme",
      channel: "main",
      results: [{ filename: wheel.filename, project: "hello-world", version: "0.1", status: "published" }],
    });
    expect(published.stderr).to.equal(`[1/1] published ${wheel.filename}\n`);

    const corrupt = path.join(home, "broken-1.0-py3-none-any.whl");
    fs.writeFileSync(corrupt, "not a zip");
    const refused = await runCli(["publish", "--tenant", "acme", corrupt], env);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(
      /^error: "broken-1\.0-py3-none-any\.whl" is not a readable zip archive \(.*\); rebuild the wheel\n$/,
    );

    const list = await runCli(["list", "--tenant", "acme", "hello-world", "--json"], env);
    expect(JSON.parse(list.stdout).files.map((f: { filename: string }) => f.filename)).to.deep.equal([
      wheel.filename,
    ]);
    const root = await runCli(["list", "--tenant", "acme", "--json"], env);
    expect(JSON.parse(root.stdout)).to.deep.equal({ projects: ["hello-world"] });
  });

  it("creates a scoped key (--scope, --projects normalized), lists its scope, and refuses bad ones writing nothing", async () => {
    const created = await runCli(
      [
        "keys",
        "create",
        "--tenant",
        "scoped",
        "--scope",
        "publish",
        "--projects",
        "Demo_Pkg, other-lib",
        "--json",
      ],
      env,
    );
    expect([created.code, created.stderr]).to.deep.equal([0, ""]);
    const key = JSON.parse(created.stdout);
    expect(key).to.include({ tenant: "scoped", scope: "publish", status: "active" });
    expect(key.projects).to.deep.equal(["demo-pkg", "other-lib"]);

    const reader = JSON.parse((await runCli(["keys", "create", "--tenant", "scoped", "--json"], env)).stdout);
    expect(reader.scope).to.equal("read");
    expect(reader).not.to.have.property("projects");

    const listed = await runCli(["keys", "list", "--tenant", "scoped"], env);
    expect(listed.code).to.equal(0);
    const lines = listed.stdout.trim().split("\n");
    expect(lines.find((line) => line.startsWith(key.publicKey))).to.include(
      "  scoped  active  publish  all channels  projects demo-pkg,other-lib  created ",
    );
    expect(lines.find((line) => line.startsWith(reader.publicKey))).to.include(
      "  scoped  active  read  all channels  all projects  created ",
    );

    const refusals: [string[], number, string][] = [
      [
        ["--scope", "admin"],
        1,
        'error: invalid --scope "admin": use read or publish (publish can upload and implies read)\n',
      ],
      [
        ["--scope", "Publish"],
        1,
        'error: invalid --scope "Publish": use read or publish (publish can upload and implies read)\n',
      ],
      [
        ["--projects", "demo,../globex"],
        1,
        'error: invalid project "../globex" in --projects: use Python project names (letters, digits, ".", "_", "-", starting and ending with a letter or digit), e.g. --projects demo,other-lib\n',
      ],
      [
        ["--projects", " , "],
        2,
        "error: --projects needs at least one project name, e.g. --projects demo,other-lib\n",
      ],
    ];
    for (const [args, code, stderr] of refusals) {
      const refused = await runCli(["keys", "create", "--tenant", "refused", ...args], env);
      expect([refused.code, refused.stdout, refused.stderr], args.join(" ")).to.deep.equal([
        code,
        "",
        stderr,
      ]);
    }
    const none = await runCli(["keys", "list", "--tenant", "refused", "--json"], env);
    expect(JSON.parse(none.stdout)).to.deep.equal([]);
  });
});
