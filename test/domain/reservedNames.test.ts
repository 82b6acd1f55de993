import { expect } from "chai";
import fc from "fast-check";
import { normalizeProjectName } from "../../domain/names";
import {
  MAX_RESERVED_PATTERNS,
  isReserved,
  normalizeReservedPattern,
  parseReservedNames,
  renderReservedNames,
  reservedPatternMatches,
} from "../../domain/reservedNames";
import { parseProjectPageKey, projectPageKey, reservedNamesKey } from "../../domain/storageLayout";

describe("reserved names: normalizeReservedPattern", () => {
  const cases: [string, string | undefined][] = [
    ["acme-*", "acme-*"],
    ["Acme_*", "acme-*"],
    ["ACME..Tools", "acme-tools"],
    ["*", "*"],
    ["*-internal", "*-internal"],
    ["a", "a"],
    ["-acme", undefined],
    ["acme-", undefined],
    ["acme tools", undefined],
    ["acme/*", undefined],
    ["ac?me", undefined],
    ["", undefined],
    ["a".repeat(201), undefined],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () =>
      expect(normalizeReservedPattern(raw)).to.equal(expected));
  }
});

describe("reserved names: reservedPatternMatches", () => {
  const cases: [string, string, boolean][] = [
    ["acme-tools", "acme-tools", true],
    ["acme-tools", "acme-tool", false],
    ["acme-tools", "acme-tools-x", false],
    ["acme-*", "acme-tools", true],
    ["acme-*", "acme-tools-extra", true],
    ["acme-*", "acme", false],
    ["acme-*", "xacme-tools", false],
    ["*-internal", "billing-internal", true],
    ["*-internal", "billing-internals", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "acb", false],
    ["*", "anything", true],
    ["a**", "a", true],
  ];
  for (const [pattern, project, expected] of cases) {
    it(`${pattern} ${expected ? "matches" : "does not match"} ${project}`, () =>
      expect(reservedPatternMatches(pattern, project)).to.equal(expected));
  }

  it("agrees with the equivalent regular expression on arbitrary patterns and names", () => {
    const text = fc.stringMatching(/^[ab*-]{0,12}$/);
    fc.assert(
      fc.property(text, fc.stringMatching(/^[ab-]{0,16}$/), (pattern, project) => {
        const regex = new RegExp(`^${pattern.split("*").join(".*")}$`);
        expect(reservedPatternMatches(pattern, project)).to.equal(regex.test(project));
      }),
    );
  });

  it("any spelling of a reserved name is reserved once normalized", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,20}[A-Za-z0-9])?$/), (spelling) => {
        const pattern = normalizeReservedPattern(spelling)!;
        expect(isReserved([pattern], normalizeProjectName(spelling))).to.equal(true);
      }),
    );
  });
});

describe("reserved names: the stored document", () => {
  it("renders sorted and unique, and parses back", () => {
    const text = renderReservedNames(["b-*", "a", "b-*"]);
    expect(text).to.equal('{"reserved":["a","b-*"]}\n');
    expect(parseReservedNames(text)).to.deep.equal(["a", "b-*"]);
  });
  const malformed: [string, string][] = [
    ["not JSON", "{"],
    ["null", "null"],
    ["no list", '{"reserved":"a"}'],
    ["a non-string", '{"reserved":[1]}'],
    ["an unnormalized pattern", '{"reserved":["Acme_*"]}'],
    ["too many patterns", JSON.stringify({ reserved: Array(MAX_RESERVED_PATTERNS + 1).fill("a") })],
  ];
  for (const [what, text] of malformed) {
    it(`refuses ${what}`, () => expect(parseReservedNames(text)).to.equal(undefined));
  }
});

describe("storage layout: project page keys and the reserved list", () => {
  it("the reserved list sits beside the channels, outside every page key", () => {
    expect(reservedNamesKey("acme")).to.equal("acme/reserved-names.json");
    expect(parseProjectPageKey(reservedNamesKey("acme"))).to.equal(undefined);
  });
  const cases: [string, ReturnType<typeof parseProjectPageKey>][] = [
    ["acme/main/simple/foo/index.html", { tenant: "acme", channel: "main", project: "foo", format: "html" }],
    [
      "acme/dev-1/simple/foo/index.json",
      { tenant: "acme", channel: "dev-1", project: "foo", format: "json" },
    ],
    ["acme/main/simple/index.html", undefined],
    ["acme/main/files/foo/foo-1.0.tar.gz", undefined],
    ["acme/main/files/foo/index.html", undefined],
    ["acme/main/simple/foo/foo-1.0.whl.metadata", undefined],
    ["acme/main/simple/foo/index.htm", undefined],
    ["acme//simple/foo/index.html", undefined],
    ["acme/main/simple/foo/bar/index.html", undefined],
  ];
  for (const [key, expected] of cases) {
    it(`${key} → ${JSON.stringify(expected)}`, () =>
      expect(parseProjectPageKey(key)).to.deep.equal(expected));
  }
  it("inverts projectPageKey", () => {
    const part = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(part, part, part, fc.constantFrom("html" as const, "json" as const), (t, c, p, f) => {
        expect(parseProjectPageKey(projectPageKey(t, c, p, f))).to.deep.equal({
          tenant: t,
          channel: c,
          project: p,
          format: f,
        });
      }),
    );
  });
});
