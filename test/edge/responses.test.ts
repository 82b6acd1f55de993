import { expect } from "chai";
import { forbidden, generatedResponse, methodNotAllowed, redirect, unauthorized } from "../../edge/responses";

describe("generated responses", () => {
  const cases: [string, ReturnType<typeof generatedResponse>, string, Record<string, string>][] = [
    [
      "401",
      unauthorized("my realm"),
      "401",
      { "www-authenticate": 'Basic realm="my realm", charset="UTF-8"' },
    ],
    ["405", methodNotAllowed(), "405", { allow: "GET, HEAD" }],
    ["301", redirect("/simple/a/"), "301", { location: "/simple/a/" }],
    ["403", generatedResponse(403), "403", {}],
    ["503", generatedResponse(503), "503", {}],
  ];
  for (const [what, response, status, extra] of cases) {
    it(`${what}: tiny, no-store, plain text, with its own headers`, () => {
      expect(response.status).to.equal(status);
      const headers = Object.fromEntries(Object.entries(response.headers!).map(([k, v]) => [k, v[0].value]));
      expect(headers).to.deep.equal({
        "cache-control": "no-store",
        "content-type": "text/plain; charset=utf-8",
        ...extra,
      });
      for (const [name, values] of Object.entries(response.headers!))
        expect(values[0].key!.toLowerCase()).to.equal(name);
      expect(response.body).to.equal(`${status} ${response.statusDescription}\n`);
    });
  }

  it("403 with a reason: the same no-store plain-text response, its body naming the reason", () => {
    const response = forbidden("this key may not read this project");
    expect(response.status).to.equal("403");
    expect(response.statusDescription).to.equal("Forbidden");
    expect(response.headers).to.deep.equal(generatedResponse(403).headers);
    expect(response.body).to.equal("403 Forbidden: this key may not read this project\n");
  });
});
