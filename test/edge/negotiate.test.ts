import { expect } from "chai";
import { Negotiated, formatFromQuery, negotiateFormat } from "../../edge/negotiate";

describe("negotiateFormat", () => {
  // The JSON page is served as application/vnd.pypi.simple.v1+json, the HTML page as text/html:
  // a range selects a page only by naming or covering that type (or latest+json, PEP 691's alias).
  const cases: [string | undefined, Negotiated][] = [
    [undefined, "html"],
    ["", "html"],
    ["*/*", "html"],
    ["text/html", "html"],
    ["application/vnd.pypi.simple.v1+json", "json"],
    ["application/vnd.pypi.simple.latest+json", "json"],
    // pip 26.3 (src/pip/_internal/index/collector.py, _get_simple_response), exactly as sent
    [
      "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01",
      "json",
    ],
    // uv 0.13.9 (crates/uv-client/src/registry_client.rs, MediaType::pypi), exactly as sent
    [
      "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",
      "json",
    ],
    // uv to a pyx index (MediaType::all): the pyx types are not served, PyPI JSON is next
    [
      "application/vnd.pyx.simple.v1+msgpack, application/vnd.pyx.simple.v1+json;q=0.9, application/vnd.pypi.simple.v1+json;q=0.8, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",
      "json",
    ],
    // pip without JSON support: its HTML-only header, and one that lists the v1+html name first
    ["text/html", "html"],
    ["application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", "html"],
    // The HTML page is text/html: the v1+html and latest+html names alone do not select it.
    ["application/vnd.pypi.simple.v1+html", "not-acceptable"],
    ["application/vnd.pypi.simple.latest+html", "not-acceptable"],
    ["application/vnd.pypi.simple.v1+html, */*;q=0.1", "html"],
    // Ranges that admit only what the served HTML is not (issue 14): JSON, never text/html.
    ["text/html;q=0, */*", "json"],
    ["text/*;q=0, */*", "json"],
    ["application/*", "json"],
    ["application/*, text/html;q=0", "json"],
    ["application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json;q=0.5", "json"],
    ["text/*", "html"],
    ["text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.9", "json"],
    ["APPLICATION/VND.PYPI.SIMPLE.V1+JSON", "json"],
    ["application/vnd.pypi.simple.v1+json;Q=0.5, text/html;q=0.4", "json"],
    ["application/vnd.pypi.simple.v1+json, */*", "json"],
    ["application/vnd.pypi.simple.v1+json, text/html", "html"],
    ["*/*;q=0.1, application/vnd.pypi.simple.v1+json;q=0", "html"],
    ["text/html;q=0, application/vnd.pypi.simple.v1+json", "json"],
    // q=0 on the served type excludes it, whatever an alias or a repeated range says.
    [
      "application/vnd.pypi.simple.v1+json;q=0, application/vnd.pypi.simple.latest+json, text/html;q=0.1",
      "html",
    ],
    ["text/html;q=0, text/html", "not-acceptable"],
    ["*/*;q=0, text/html", "html"],
    ["image/png", "not-acceptable"],
    ["text/html;q=0", "not-acceptable"],
    ["text/html;q=0, application/vnd.pypi.simple.v1+json;q=0.000", "not-acceptable"],
    ["application/*;q=0, text/*;q=0", "not-acceptable"],
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
