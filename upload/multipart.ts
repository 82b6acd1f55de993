/**
 * A bounded `multipart/form-data` parser (RFC 7578) for the legacy upload API: the whole body is
 * in memory already (the endpoint's body limit), so it scans it once for boundaries, and refuses
 * anything that is not a well-formed form within the bounds below with a message saying what is
 * wrong. Text fields must be UTF-8; parts with a `filename` keep their bytes.
 */

export interface FormFile {
  readonly filename: string;
  readonly bytes: Uint8Array;
}

export interface Form {
  /** Text fields by name, every value in order (a form may repeat a name, e.g. `classifiers`). */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  /** File parts by field name, in order. */
  readonly files: ReadonlyMap<string, readonly FormFile[]>;
}

export interface MultipartLimits {
  /** Parts at most (twine sends one per metadata value: a few dozen). */
  readonly maxParts: number;
  /** Bytes of one part's header block at most. */
  readonly maxPartHeaderBytes: number;
}

export const MULTIPART_LIMITS: MultipartLimits = { maxParts: 1000, maxPartHeaderBytes: 8 * 1024 };

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

/** RFC 2046: 1-70 characters from this set, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The parameters of a header value such as `form-data; name="content"; filename="a.whl"`. */
function headerParameters(value: string): { type: string; params: Map<string, string> } | undefined {
  const semicolon = value.indexOf(";");
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const params = new Map<string, string>();
  let rest = semicolon < 0 ? "" : value.slice(semicolon + 1);
  const PARAM = /^\s*([A-Za-z0-9!#$&+.^_`|~*-]+)\s*=\s*(?:"([^"\\\r\n]*)"|([^\s;"]+))\s*(?:;|$)/;
  while (rest.trim() !== "") {
    const match = PARAM.exec(rest);
    if (!match) return undefined;
    const name = match[1].toLowerCase();
    if (params.has(name)) return undefined;
    params.set(name, match[2] ?? match[3]);
    rest = rest.slice(match[0].length);
  }
  return { type, params };
}

/** The boundary named by a `Content-Type: multipart/form-data; boundary=...` header. */
export function formBoundary(contentType: string | undefined): string {
  const parsed = contentType === undefined ? undefined : headerParameters(contentType);
  if (!parsed || parsed.type !== "multipart/form-data") {
    throw new MultipartError(
      `the request's Content-Type must be multipart/form-data with a boundary, not ${JSON.stringify(contentType ?? "")}`,
    );
  }
  const boundary = parsed.params.get("boundary");
  if (boundary === undefined || !BOUNDARY.test(boundary)) {
    throw new MultipartError(
      "the multipart/form-data Content-Type needs a boundary of 1-70 characters (RFC 2046)",
    );
  }
  return boundary;
}

interface PartHeaders {
  readonly name: string;
  readonly filename?: string;
}

function parsePartHeaders(block: Buffer, index: number): PartHeaders {
  let text: string;
  try {
    text = utf8.decode(block);
  } catch {
    throw new MultipartError(`the headers of part ${index} are not UTF-8`);
  }
  let disposition: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError(`part ${index} has a malformed header line`);
    if (line.slice(0, colon).trim().toLowerCase() !== "content-disposition") continue;
    if (disposition !== undefined)
      throw new MultipartError(`part ${index} has two Content-Disposition headers`);
    disposition = line.slice(colon + 1);
  }
  const parsed = disposition === undefined ? undefined : headerParameters(disposition);
  const name = parsed?.params.get("name");
  if (!parsed || parsed.type !== "form-data" || name === undefined || name === "") {
    throw new MultipartError(`part ${index} needs a Content-Disposition: form-data header with a name`);
  }
  const filename = parsed.params.get("filename");
  return filename === undefined ? { name } : { name, filename };
}

/** Parses a form; throws MultipartError naming what is malformed or past a bound. */
export function parseMultipartForm(
  body: Uint8Array,
  contentType: string | undefined,
  limits: MultipartLimits = MULTIPART_LIMITS,
): Form {
  const boundary = formBoundary(contentType);
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields = new Map<string, string[]>();
  const files = new Map<string, FormFile[]>();
  // The first delimiter may open the body without the CRLF before it.
  let at = data.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2))
    ? delimiter.length - 2
    : data.indexOf(delimiter);
  if (at < 0) throw new MultipartError("the body has no part: its boundary never appears");
  if (at !== delimiter.length - 2) at += delimiter.length;
  for (let index = 1; ; index++) {
    // After a delimiter: `--` ends the form, CRLF starts a part.
    if (data[at] === 0x2d && data[at + 1] === 0x2d) break;
    if (!data.subarray(at, at + 2).equals(CRLF)) {
      throw new MultipartError(`the boundary before part ${index} is not followed by CRLF or --`);
    }
    if (index > limits.maxParts) throw new MultipartError(`the form has more than ${limits.maxParts} parts`);
    const headersStart = at + 2;
    const headersEnd = data.indexOf(HEADER_END, headersStart);
    if (headersEnd < 0 || headersEnd - headersStart > limits.maxPartHeaderBytes) {
      throw new MultipartError(
        `part ${index} has no end of headers within ${limits.maxPartHeaderBytes} bytes`,
      );
    }
    const headers = parsePartHeaders(data.subarray(headersStart, headersEnd), index);
    const contentStart = headersEnd + HEADER_END.length;
    const contentEnd = data.indexOf(delimiter, contentStart);
    if (contentEnd < 0)
      throw new MultipartError(`part ${index} ("${headers.name}") is not closed by the boundary`);
    const content = data.subarray(contentStart, contentEnd);
    if (headers.filename !== undefined) {
      const list = files.get(headers.name) ?? [];
      list.push({ filename: headers.filename, bytes: content });
      files.set(headers.name, list);
    } else {
      let value: string;
      try {
        value = utf8.decode(content);
      } catch {
        throw new MultipartError(`the form field "${headers.name}" is not UTF-8`);
      }
      const list = fields.get(headers.name) ?? [];
      list.push(value);
      fields.set(headers.name, list);
    }
    at = contentEnd + delimiter.length;
  }
  return { fields, files };
}
