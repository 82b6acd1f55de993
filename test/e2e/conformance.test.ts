/**
 * The client conformance table of docs/clients.md, cell by cell: pip, uv and poetry run the
 * scenarios of `support/conformance.ts` against the sandbox, and each observed cell must be the
 * documented one (so the table users read is what the pinned clients do against this index).
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { pinnedToolVersions } from "../../sandbox/pythonTools";
import {
  CAPABILITIES,
  Capability,
  CLIENTS,
  Conformance,
  observeConformance,
  parseConformance,
} from "./support/conformance";

const DOCS = path.resolve(__dirname, "..", "..", "docs", "clients.md");

function documentedTable(): Conformance {
  const text = fs.readFileSync(DOCS, "utf8");
  const table = /<!-- conformance:start -->\n([\s\S]*?)<!-- conformance:end -->/.exec(text)?.[1];
  if (!table)
    throw new Error(`${DOCS} has no table between <!-- conformance:start --> and <!-- conformance:end -->`);
  return parseConformance(table);
}

describe("client conformance (docs/clients.md) @integration", function () {
  const documented = documentedTable();
  let observed: Conformance;

  before(async function () {
    this.timeout(600_000);
    observed = await observeConformance();
  });

  it("documents the pinned versions of pip, uv and poetry", () => {
    const pinned = pinnedToolVersions();
    expect(documented.versions).to.deep.equal({ pip: pinned.pip, uv: pinned.uv, poetry: pinned.poetry });
    expect(observed.versions).to.deep.equal(documented.versions);
  });

  for (const client of CLIENTS) {
    for (const capability of Object.keys(CAPABILITIES) as Capability[]) {
      const expected = documented.cells[client][capability];
      it(`${client}: ${CAPABILITIES[capability]} → ${expected}`, () => {
        expect(observed.cells[client][capability]).to.equal(expected);
      });
    }
  }
});
