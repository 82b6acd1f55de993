import { expect } from "chai";
import { formBoundary, parseMultipartForm } from "../../upload/multipart";
import { TEST_BOUNDARY, multipartBody } from "../../fixtures/uploadForms";

const TYPE = `multipart/form-data; boundary=${TEST_BOUNDARY}`;
const crlf = (text: string) => Buffer.from(text.replace(/\n/g, "\r\n"), "latin1");

describe("upload: multipart/form-data parser", () => {
  it("reads text fields (repeated ones in order) and file parts with their bytes", () => {
    const file = Buffer.from([0, 1, 2, 0x0d, 0x0a, 0x2d, 0x2d, 255]);
    const form = parseMultipartForm(
      multipartBody([
        { name: "classifiers", value: "A" },
        { name: "classifiers", value: "B" },
        { name: "summary", value: "héllo ✓" },
        { name: "empty", value: "" },
        { name: "content", value: file, filename: "foo-1.0.tar.gz" },
      ]),
      TYPE,
    );
    expect(Object.fromEntries(form.fields)).to.deep.equal({
      classifiers: ["A", "B"],
      summary: ["héllo ✓"],
      empty: [""],
    });
    const [content] = form.files.get("content")!;
    expect(content.filename).to.equal("foo-1.0.tar.gz");
    expect(Buffer.from(content.bytes).equals(file)).to.equal(true);
  });

  const boundaries: [string, string | undefined, string][] = [
    ["a quoted boundary", `multipart/form-data; boundary="${TEST_BOUNDARY}"`, TEST_BOUNDARY],
    ["any case of the type and parameter", `Multipart/Form-Data; BOUNDARY=${TEST_BOUNDARY}`, TEST_BOUNDARY],
    [
      "reqwest's form (hex)",
      "multipart/form-data; boundary=4a7f1c2d9e3b5a60-1f2e3d4c",
      "4a7f1c2d9e3b5a60-1f2e3d4c",
    ],
  ];
  for (const [what, header, boundary] of boundaries) {
    it(`takes ${what}`, () => expect(formBoundary(header)).to.equal(boundary));
  }

  const malformed: [string, Buffer, string | undefined, string][] = [
    ["no Content-Type", multipartBody([]), undefined, 'must be multipart/form-data with a boundary, not ""'],
    ["a JSON body", Buffer.from("{}"), "application/json", 'not "application/json"'],
    ["no boundary", multipartBody([]), "multipart/form-data", "needs a boundary of 1-70 characters"],
    ["a 71-character boundary", multipartBody([]), `multipart/form-data; boundary=${"b".repeat(71)}`, "1-70"],
    ["a boundary ending in a space", multipartBody([]), 'multipart/form-data; boundary="ab "', "1-70"],
    [
      "a repeated parameter",
      multipartBody([]),
      `${TYPE}; boundary=other`,
      "must be multipart/form-data with a boundary",
    ],
    ["a body without the boundary", Buffer.from("hello"), TYPE, "its boundary never appears"],
    [
      "another boundary than declared",
      multipartBody([{ name: "a", value: "b" }], "other"),
      TYPE,
      "never appears",
    ],
    [
      "a part never closed",
      crlf(`--${TEST_BOUNDARY}\nContent-Disposition: form-data; name="a"\n\nvalue`),
      TYPE,
      'part 1 ("a") is not closed by the boundary',
    ],
    [
      "no closing delimiter",
      crlf(`--${TEST_BOUNDARY}\nContent-Disposition: form-data; name="a"\n\nvalue\n--${TEST_BOUNDARY}`),
      TYPE,
      "the boundary before part 2 is not followed by CRLF or --",
    ],
    [
      "junk after a delimiter",
      crlf(`--${TEST_BOUNDARY}junk\nContent-Disposition: form-data; name="a"\n\nv\n--${TEST_BOUNDARY}--`),
      TYPE,
      "before part 1 is not followed by CRLF or --",
    ],
    [
      "bare LF line ends",
      Buffer.from(
        `--${TEST_BOUNDARY}\nContent-Disposition: form-data; name="a"\n\nv\n--${TEST_BOUNDARY}--\n`,
      ),
      TYPE,
      "not followed by CRLF",
    ],
    [
      "a part without Content-Disposition",
      crlf(`--${TEST_BOUNDARY}\nContent-Type: text/plain\n\nv\n--${TEST_BOUNDARY}--\n`),
      TYPE,
      "part 1 needs a Content-Disposition: form-data header with a name",
    ],
    [
      "a part without a name",
      crlf(
        `--${TEST_BOUNDARY}\nContent-Disposition: form-data; filename="a.whl"\n\nv\n--${TEST_BOUNDARY}--\n`,
      ),
      TYPE,
      "with a name",
    ],
    [
      "two Content-Disposition headers",
      crlf(
        `--${TEST_BOUNDARY}\nContent-Disposition: form-data; name="a"\nContent-Disposition: form-data; name="content"; filename="x.whl"\n\nv\n--${TEST_BOUNDARY}--\n`,
      ),
      TYPE,
      "part 1 has two Content-Disposition headers",
    ],
    [
      "a header line without a colon",
      crlf(
        `--${TEST_BOUNDARY}\nContent-Disposition: form-data; name="a"\nbogus\n\nv\n--${TEST_BOUNDARY}--\n`,
      ),
      TYPE,
      "part 1 has a malformed header line",
    ],
    [
      "an unterminated quoted name",
      crlf(`--${TEST_BOUNDARY}\nContent-Disposition: form-data; name="a\n\nv\n--${TEST_BOUNDARY}--\n`),
      TYPE,
      "with a name",
    ],
    [
      "a header block past 8 KiB",
      crlf(
        `--${TEST_BOUNDARY}\nContent-Disposition: form-data; name="a"\nX-Pad: ${"p".repeat(9000)}\n\nv\n--${TEST_BOUNDARY}--\n`,
      ),
      TYPE,
      "part 1 has no end of headers within 8192 bytes",
    ],
    [
      "a field that is not UTF-8",
      multipartBody([{ name: "summary", value: Buffer.from([0x68, 0xe9, 0x6c]) }]),
      TYPE,
      'the form field "summary" is not UTF-8',
    ],
    [
      "headers that are not UTF-8",
      Buffer.concat([
        Buffer.from(
          `--${TEST_BOUNDARY}\r\nContent-Disposition: form-data; name="\xff"\r\n\r\nv\r\n--${TEST_BOUNDARY}--\r\n`,
          "latin1",
        ),
      ]),
      TYPE,
      "the headers of part 1 are not UTF-8",
    ],
    [
      "1001 parts",
      multipartBody(Array.from({ length: 1001 }, () => ({ name: "classifiers", value: "x" }))),
      TYPE,
      "the form has more than 1000 parts",
    ],
  ];
  for (const [what, body, contentType, message] of malformed) {
    it(`refuses ${what}: "${message}"`, () => {
      expect(() => parseMultipartForm(body, contentType)).to.throw(message);
    });
  }

  it("takes exactly 1000 parts", () => {
    const body = multipartBody(Array.from({ length: 1000 }, () => ({ name: "classifiers", value: "x" })));
    expect(parseMultipartForm(body, TYPE).fields.get("classifiers")).to.have.length(1000);
  });

  it("ignores a preamble and an epilogue (RFC 2046)", () => {
    const body = Buffer.concat([
      Buffer.from("preamble\r\n"),
      multipartBody([{ name: "a", value: "b" }]),
      Buffer.from("epilogue"),
    ]);
    expect(parseMultipartForm(body, TYPE).fields.get("a")).to.deep.equal(["b"]);
  });
});
