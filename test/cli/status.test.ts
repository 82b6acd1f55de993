/** `status set` against moto: what it prints, what `list` shows, and bad input refused with nothing written. */
import { expect } from "chai";
import { useCliOnMoto } from "./support/inProcess";
import { indexLocation } from "../../publishing/indexLocation";
import { publish } from "../../publishing/publish";
import { buildWheel } from "../../publishing/wheelBuilder";
import { snapshot } from "../../fixtures/motoIndex";

describe("cli: status set @integration", () => {
  const moto = useCliOnMoto();
  const cli = moto.cli;
  before(async () => {
    await publish(moto.store, indexLocation("acme"), [buildWheel({ name: "demo-pkg", version: "1.0" })]);
    await publish(moto.store, indexLocation("acme", "feature-x"), [
      buildWheel({ name: "demo-pkg", version: "1.0" }),
    ]);
  });

  it("sets a status with a reason, in a channel, and list shows it", async () => {
    const set = await cli([
      "status",
      "set",
      "--tenant",
      "acme",
      "--channel",
      "feature-x",
      "Demo_Pkg",
      "archived",
      "--reason",
      "moved to demo-next",
    ]);
    expect(set).to.deep.equal({
      code: 0,
      stdout:
        "demo-pkg in acme/feature-x is archived (moved to demo-next); clients see it within the page cache time (max-age=60).\n",
      stderr: "",
    });
    const listed = await cli(["list", "--tenant", "acme", "--channel", "feature-x", "demo-pkg"]);
    expect(listed.stdout.split("\n")[0]).to.equal("status: archived (moved to demo-next)");
    // The main channel's project is another page: untouched.
    expect((await cli(["list", "--tenant", "acme", "demo-pkg"])).stdout).to.not.include("status:");
    const json = await cli(["status", "set", "--tenant", "acme", "demo-pkg", "deprecated", "--json"]);
    expect(JSON.parse(json.stdout)).to.deep.equal({
      tenant: "acme",
      channel: "main",
      project: "demo-pkg",
      status: "deprecated",
    });
  });

  const bad: [string, string[], string][] = [
    [
      "an unknown status",
      ["demo-pkg", "frozen"],
      'error: unknown status "frozen": use active, archived, deprecated, quarantined\n',
    ],
    [
      "a reason over 200 characters",
      ["demo-pkg", "archived", "--reason", "x".repeat(201)],
      `error: invalid status reason "${"x".repeat(201)}": use 1 to 200 letters, digits, punctuation, symbols and spaces, not starting or ending with a space\n`,
    ],
    [
      "a reason with a control character",
      ["demo-pkg", "archived", "--reason", "line\nbreak"],
      'error: invalid status reason "line\\nbreak": use 1 to 200 letters, digits, punctuation, symbols and spaces, not starting or ending with a space\n',
    ],
    [
      "a reason with a bidi override",
      ["demo-pkg", "archived", "--reason", "safe\u202Eexe"],
      'error: invalid status reason "safe\\u202eexe": use 1 to 200 letters, digits, punctuation, symbols and spaces, not starting or ending with a space\n',
    ],
    [
      "an empty reason",
      ["demo-pkg", "archived", "--reason", ""],
      'error: invalid status reason "": use 1 to 200 letters, digits, punctuation, symbols and spaces, not starting or ending with a space\n',
    ],
    [
      "a project that is not published",
      ["no-such-pkg", "archived"],
      "error: project no-such-pkg is not published in acme/main; `list --tenant acme` shows what is\n",
    ],
    ["an invalid project name", ["../x", "archived"], 'error: invalid project name "../x"\n'],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} with nothing written`, async () => {
      const before = await snapshot(moto.store);
      const result = await cli(["status", "set", "--tenant", "acme", ...args]);
      expect(result).to.deep.equal({ code: 1, stdout: "", stderr: message });
      expect(await snapshot(moto.store)).to.deep.equal(before);
    });
  }

  it("needs --tenant and exactly PROJECT and STATUS", async () => {
    expect((await cli(["status", "set", "demo-pkg", "archived"])).stderr).to.equal(
      "error: missing --tenant: name the tenant whose index to change (e.g. --tenant acme)\n",
    );
    const usage = await cli(["status", "set", "--tenant", "acme", "demo-pkg"]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.equal(
      "error: wrong number of arguments; usage: status set --tenant T [--channel C] PROJECT active|archived|deprecated|quarantined [--reason R]\n",
    );
  });
});
