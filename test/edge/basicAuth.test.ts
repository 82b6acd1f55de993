import { expect } from "chai";
import { BasicAuthResult, createBasicAuthorizationParser } from "../../edge/basicAuth";

const parseBasicAuthorization = createBasicAuthorizationParser();

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const ok = (username: string, password: string): BasicAuthResult => ({
  ok: true,
  credentials: { username, password },
});
const fail = (reason: string) => ({ ok: false, reason }) as BasicAuthResult;

describe("parseBasicAuthorization", () => {
  const cases: [string, string[] | undefined, BasicAuthResult][] = [
    ["absent", undefined, fail("missing-credentials")],
    ["an empty list", [], fail("missing-credentials")],
    ["a plain pair", [`Basic ${b64("user:pass")}`], ok("user", "pass")],
    ["a lowercase scheme", [`basic ${b64("user:pass")}`], ok("user", "pass")],
    ["an uppercase scheme", [`BASIC ${b64("user:pass")}`], ok("user", "pass")],
    ["extra spaces", [`Basic   ${b64("user:pass")}  `], ok("user", "pass")],
    ["a colon in the password (split on the first)", [`Basic ${b64("user:pa:ss")}`], ok("user", "pa:ss")],
    ["an empty password", [`Basic ${b64("user:")}`], ok("user", "")],
    ["UTF-8 text", [`Basic ${b64("ü:ß")}`], ok("ü", "ß")],
    ["two headers", [`Basic ${b64("a:b")}`, `Basic ${b64("a:b")}`], fail("malformed-credentials")],
    ["a Bearer token", ["Bearer abc.def"], fail("not-basic")],
    ["Basicx", [`Basicx ${b64("a:b")}`], fail("not-basic")],
    ["the scheme alone", ["Basic"], fail("malformed-credentials")],
    ["no colon", [`Basic ${b64("userpass")}`], fail("malformed-credentials")],
    ["invalid base64 characters", ["Basic dXNl*jpwYXNz"], fail("malformed-credentials")],
    ["unpadded base64", ["Basic dXNlcjpwYXM"], fail("malformed-credentials")],
    ["non-canonical padding bits", ["Basic YR=="], fail("malformed-credentials")],
    [
      "invalid UTF-8",
      [`Basic ${Buffer.from([0x75, 0x3a, 0xff]).toString("base64")}`],
      fail("malformed-credentials"),
    ],
    ["a second token", [`Basic ${b64("a:b")} ${b64("c:d")}`], fail("malformed-credentials")],
    ["an over-long header", [`Basic ${"QUFB".repeat(130)}`], fail("credentials-too-long")],
  ];
  for (const [what, values, expected] of cases) {
    it(`${what} → ${expected.ok ? "credentials" : expected.reason}`, () => {
      expect(parseBasicAuthorization(values)).to.deep.equal(expected);
    });
  }
});
