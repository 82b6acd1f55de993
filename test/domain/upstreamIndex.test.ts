import { expect } from "chai";
import { upstreamIndexProblem, upstreamProjectUrl } from "../../domain/upstreamIndex";

describe("upstream index URLs", () => {
  const cases: [unknown, boolean, boolean][] = [
    // url, valid when deployed, valid in the sandbox (loopback http admitted)
    ["https://pypi.org/simple/", true, true],
    ["https://mirror.example.com:8443/pypi/simple/", true, true],
    ["https://pypi.org/simple", false, false],
    ["http://pypi.org/simple/", false, false],
    ["https://user:pass@pypi.org/simple/", false, false],
    ["https://pypi.org/simple/?x=1", false, false],
    ["https://pypi.org/simple/#top", false, false],
    ["https://PyPI.org/simple/", false, false],
    ["https://pypi.org//", false, false],
    ["http://127.0.0.1:9100/simple/", false, true],
    ["http://localhost:9100/simple/", false, true],
    ["http://127.0.0.2:9100/simple/", false, false],
    ["http://127.0.0.1.evil.example/simple/", false, false],
    ["off", false, false],
    [42, false, false],
  ];
  for (const [url, deployed, sandbox] of cases) {
    it(`${JSON.stringify(url)}: ${deployed ? "valid" : "refused"} deployed, ${sandbox ? "valid" : "refused"} in the sandbox`, () => {
      expect(upstreamIndexProblem(url) === undefined).to.equal(deployed);
      expect(upstreamIndexProblem(url, true) === undefined).to.equal(sandbox);
    });
  }
  it("names the upstream's page of a project", () =>
    expect(upstreamProjectUrl("https://pypi.org/simple/", "zope-interface")).to.equal(
      "https://pypi.org/simple/zope-interface/",
    ));
});
