import { expect } from "chai";
import { Negotiated, formatFromQuery, negotiateFormat } from "../../edge/negotiate";

describe("negotiateFormat", () => {
  const cases: [string | undefined, Negotiated][] = [
    [undefined, "html"],
    ["", "html"],
    ["*/*", "html"],
    ["text/html", "html"],
    ["application/vnd.pypi.simple.v1+json", "json"],
    ["application/vnd.pypi.simple.latest+json", "json"],
    ["application/vnd.pypi.simple.v1+html", "html"],
    ["application/vnd.pypi.simple.latest+html", "html"],
    // pip
    [
      "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01",
      "json",
    ],
    // uv
    [
      "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",
      "json",
    ],
    // older pip: HTML only
    ["text/html", "html"],
    ["text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.9", "json"],
    ["APPLICATION/VND.PYPI.SIMPLE.V1+JSON", "json"],
    ["application/vnd.pypi.simple.v1+json;Q=0.5, text/html;q=0.4", "json"],
    ["application/vnd.pypi.simple.v1+json, */*", "json"],
    ["application/vnd.pypi.simple.v1+json, text/html", "html"],
    // application/* admits JSON and the v1+html alias alike: a tie, so HTML.
    ["application/*", "html"],
    ["text/*", "html"],
    ["*/*;q=0.1, application/vnd.pypi.simple.v1+json;q=0", "html"],
    // The HTML types are aliases (PEP 691): v1+html admitted by */* keeps HTML acceptable; tie → HTML.
    ["text/html;q=0, */*", "html"],
    ["text/html;q=0, application/vnd.pypi.simple.v1+json", "json"],
    ["image/png", "not-acceptable"],
    ["text/html;q=0", "not-acceptable"],
    ["text/html;q=0, application/vnd.pypi.simple.v1+json;q=0.000", "not-acceptable"],
    ["*/html", "not-acceptable"],
    ["nonsense", "not-acceptable"],
    ["text/html;q=2", "not-acceptable"],
    ["text/html;q=abc, application/vnd.pypi.simple.v1+json;q=0.1", "json"],
    ["text/html;level=1;q=0.3, application/vnd.pypi.simple.v1+json;q=0.2", "html"],
    [" , text/html , ", "html"],
    ["text/html, ".repeat(120), "malformed"],
  ];
  for (const [accept, expected] of cases) {
    it(`Accept ${JSON.stringify(accept && accept.length > 80 ? accept.slice(0, 40) + "…" : accept)} → ${expected}`, () => {
      expect(negotiateFormat(accept, undefined)).to.equal(expected);
    });
  }

  it("lets ?format override any Accept", () => {
    expect(negotiateFormat("image/png", "json")).to.equal("json");
    expect(negotiateFormat("application/vnd.pypi.simple.v1+json", "html")).to.equal("html");
  });
});

describe("formatFromQuery", () => {
  const cases: [string, ReturnType<typeof formatFromQuery>][] = [
    ["", undefined],
    ["a=1", undefined],
    ["format=json", "json"],
    ["format=html", "html"],
    ["x=1&format=json", "json"],
    ["format=json&format=json", "json"],
    ["format=json&format=html", "malformed"],
    ["format=xml", "malformed"],
    ["format=", "malformed"],
    ["format=JSON", "malformed"],
    ["format=%6Ason", "json"],
  ];
  for (const [query, expected] of cases) {
    it(`${JSON.stringify(query)} → ${expected}`, () => expect(formatFromQuery(query)).to.equal(expected));
  }
});
