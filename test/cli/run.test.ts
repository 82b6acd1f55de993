/**
 * The command layer in-process (`runCli` with captured output): argument errors, AWS errors
 * explained in one line, and the human and `--json` output of the commands not spawned elsewhere.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IndexStore } from "../../publishing/indexStore";
import { runCliInProcess } from "./support/inProcess";
import { publish } from "../../publishing/publish";
import { indexLocation } from "../../publishing/indexLocation";
import { buildWheel } from "../../publishing/wheelBuilder";
import { MotoIndex, startMotoIndex } from "../../fixtures/motoIndex";

describe("cli: commands in-process @integration", () => {
  let fixture: MotoIndex;
  let env: Record<string, string>;
  before(async () => {
    fixture = await startMotoIndex();
    const store = await fixture.newStore();
    await publish(
      store,
      indexLocation("acme"),
      ["1.0", "2.0"].map((version) => buildWheel({ name: "tool", version })),
    );
    env = {
      ...fixture.moto.env,
      PACKAGE_INDEX_BUCKET: store.bucket,
      PACKAGE_INDEX_TABLE: fixture.table,
      CI: "true",
    };
  });
  after(async () => fixture?.stop());

  const cli = (args: string[], overrides: Record<string, string> = {}) =>
    runCliInProcess(args, { ...env, ...overrides });

  it("helps with a command group and rejects a group without a subcommand", async () => {
    const help = await cli(["keys", "--help"]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(
      /^Usage: npm run cli -- <command> \[options\]\n\nCommands:\n {2}keys create /,
    );
    // The group's commands only: `publish` appears as a scope (`--scope read|publish`), not as a command.
    expect(help.stdout).to.not.match(/^ {2}publish /m);
    expect(await cli(["keys"])).to.deep.equal({
      code: 2,
      stdout: "",
      stderr: 'error: "keys" needs a subcommand: create, list, revoke, rotate; see keys --help\n',
    });
  });

  it("rejects unknown options and wrong argument counts with exit 2", async () => {
    expect(await cli(["publish", "--tenant", "acme", "--bogus", "x.whl"])).to.deep.include({
      code: 2,
      stderr:
        "error: Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\"; see --help\n",
    });
    expect(await cli(["yank", "--tenant", "acme", "tool"])).to.deep.equal({
      code: 2,
      stdout: "",
      stderr:
        "error: wrong number of arguments; usage: yank --tenant T [--channel C] PROJECT VERSION [--reason R]\n",
    });
  });

  it("asks for --tenant when a command that changes an index names none", async () => {
    expect(await cli(["yank", "tool", "1.0"])).to.deep.equal({
      code: 1,
      stdout: "",
      stderr: "error: missing --tenant: name the tenant whose index to change (e.g. --tenant acme)\n",
    });
  });

  it("explains a bucket that does not exist in one line", async () => {
    const run = await cli(["list", "--tenant", "acme"], { PACKAGE_INDEX_BUCKET: "ppi-test-no-such-bucket" });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(
      /^error: the bucket does not exist \(.*\); check --bucket \/ PACKAGE_INDEX_BUCKET and --region\n$/,
    );
  });

  it("yanks with a reason, unyanks, lists, removes only with --yes, reindexes", async () => {
    const yank = await cli(["yank", "--tenant", "acme", "tool", "1.0", "--reason", "broken", "--json"]);
    expect(yank.code).to.equal(0);
    expect(JSON.parse(yank.stdout).files[0]).to.include({
      filename: "tool-1.0-py3-none-any.whl",
      yanked: "broken",
    });
    const listed = await cli(["list", "--tenant", "acme", "tool"]);
    expect(listed.stdout).to.match(
      /^tool-1\.0-py3-none-any\.whl {2}\d+ bytes {2}\S+Z {2}yanked: broken\ntool-2\.0-py3-none-any\.whl {2}\d+ bytes {2}\S+Z\n$/,
    );
    expect((await cli(["unyank", "--tenant", "acme", "tool", "1.0"])).stdout).to.equal(
      "unyanked tool-1.0-py3-none-any.whl\n",
    );
    const unconfirmed = await cli(["remove", "--tenant", "acme", "tool", "2.0"]);
    expect([unconfirmed.code, unconfirmed.stderr]).to.deep.equal([
      1,
      "error: remove deletes files for good and breaks pinned installs; add --yes to confirm\n",
    ]);
    expect((await cli(["remove", "--tenant", "acme", "tool", "2.0", "--yes"])).stdout).to.equal(
      "removed tool-2.0-py3-none-any.whl\n",
    );
    const reindexed = await cli(["reindex", "--tenant", "acme", "--json"]);
    expect(JSON.parse(reindexed.stdout)).to.deep.equal({
      projects: [{ project: "tool", files: 1 }],
      emptied: [],
      warnings: [],
    });
    expect(reindexed.stderr).to.equal("[1/1] tool\n");
  });

  it("refuses a bad tenant or channel before writing anything", async () => {
    const wheel = buildWheel({ name: "tool", version: "3.0" });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ppi-run-")), wheel.filename);
    fs.writeFileSync(file, wheel.bytes);
    const store = new IndexStore(fixture.s3, env.PACKAGE_INDEX_BUCKET);
    const before = await store.list("");
    const badTenant = await cli(["publish", "--tenant", "../acme", file]);
    expect(badTenant).to.deep.equal({
      code: 1,
      stdout: "",
      stderr:
        'error: invalid tenant "../acme": use 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit\n',
    });
    const badChannel = await cli(["publish", "--tenant", "acme", "--channel", "files", file]);
    expect(badChannel.stderr).to.match(/^error: invalid channel "files": .*\(not "simple" or "files"\)/);
    expect(await store.list("")).to.deep.equal(before);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it("revokes and rotates keys with one-line human output", async () => {
    const created = JSON.parse(
      (await cli(["keys", "create", "--tenant", "acme", "--json", "--channels", "main"])).stdout,
    );
    const rotated = await cli(["keys", "rotate", created.publicKey]);
    expect(rotated.code).to.equal(0);
    const [, fresh] = /^Created key (ppi_[a-z2-7]{26}) for tenant acme; revoked (ppi_\S+)\./.exec(
      rotated.stdout,
    )!;
    expect(rotated.stdout).to.include(`revoked ${created.publicKey}.`);
    expect(rotated.stdout).to.include("Pass --index-url");
    const revoked = await cli(["keys", "revoke", fresh]);
    expect(revoked.stdout).to.match(new RegExp(`^Revoked ${fresh} \\(tenant acme\\) at \\S+Z\\.\\n$`));
    const list = await cli(["keys", "list", "--tenant", "acme"]);
    expect(list.stdout).to.include(`${created.publicKey}  acme  revoked  read  channels main  all projects`);
  });
});
