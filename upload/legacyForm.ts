/**
 * The legacy upload API's form, as twine, `uv publish`, `poetry publish`, hatch and pdm send it:
 * `:action=file_upload`, `protocol_version=1`, the file in `content` (with its file name), its
 * digests, `filetype`, `pyversion`, `metadata_version`, `name`, `version`, the other core metadata
 * fields and `attestations`. What the index needs is checked here against the file's own bytes and
 * name; the metadata fields are not used (the index reads the file's own metadata).
 */
import * as crypto from "crypto";
import { FILENAME_PATTERN, normalizeProjectName } from "../domain/names";
import { parseDistributionFilename } from "../publishing/distribution";
import { sameVersion } from "../publishing/version";
import { blake2bHex } from "./blake2b";
import { Form } from "./multipart";

/** A form field that is missing, malformed or disagrees with the file: a 400 naming it. */
export class FormFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "FormFieldError";
  }
}

export interface LegacyUpload {
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** PEP 503 normalized, from the file name (and equal to the form's `name`). */
  readonly project: string;
  readonly version: string;
}

/** The digests the API defines: the field, how to compute it, its hex length. */
const DIGESTS = [
  {
    field: "md5_digest",
    hex: 32,
    compute: (b: Uint8Array) => crypto.createHash("md5").update(b).digest("hex"),
  },
  {
    field: "sha256_digest",
    hex: 64,
    compute: (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex"),
  },
  { field: "blake2_256_digest", hex: 64, compute: (b: Uint8Array) => blake2bHex(b, 32) },
] as const;
/** md5 alone proves nothing: one of these must be given. */
const STRONG_DIGESTS = ["sha256_digest", "blake2_256_digest"];

const FILETYPES: Readonly<Record<"wheel" | "sdist", string>> = { wheel: "bdist_wheel", sdist: "sdist" };

const MAX_FIELD_LENGTH = 256;

/** The one value of a text field the index reads; undefined when absent. */
function optional(form: Form, field: string): string | undefined {
  const values = form.fields.get(field);
  if (form.files.has(field)) throw new FormFieldError(field, "must be a text field, not a file");
  if (values === undefined) return undefined;
  if (values.length > 1) throw new FormFieldError(field, `is given ${values.length} times; give it once`);
  if (values[0].length > MAX_FIELD_LENGTH) {
    throw new FormFieldError(field, `is longer than ${MAX_FIELD_LENGTH} characters`);
  }
  return values[0];
}

function required(form: Form, field: string): string {
  const value = optional(form, field);
  if (value === undefined) throw new FormFieldError(field, "is missing");
  return value;
}

function expect(form: Form, field: string, expected: string): void {
  const value = required(form, field);
  if (value !== expected) {
    throw new FormFieldError(
      field,
      `is ${JSON.stringify(value)}; this endpoint accepts only ${JSON.stringify(expected)}`,
    );
  }
}

function contentFile(form: Form): { filename: string; bytes: Uint8Array } {
  for (const field of form.files.keys()) {
    if (field !== "content") {
      throw new FormFieldError(
        field,
        "is a file part; only content carries a file (signatures are not accepted)",
      );
    }
  }
  if (form.fields.has("content")) throw new FormFieldError("content", "must be a file part with a filename");
  const files = form.files.get("content") ?? [];
  if (files.length === 0) throw new FormFieldError("content", "is missing: attach the distribution file");
  if (files.length > 1)
    throw new FormFieldError("content", `is given ${files.length} times; upload one file per request`);
  const { filename, bytes } = files[0];
  if (filename.includes("/") || filename.includes("\\") || filename.startsWith(".")) {
    throw new FormFieldError(
      "content",
      `file name ${JSON.stringify(filename)} must be a bare file name, not a path`,
    );
  }
  // Anything else (a quote, `%`) is refused, and so is a name the edge would never serve.
  if (!FILENAME_PATTERN.test(filename)) {
    throw new FormFieldError(
      "content",
      `file name ${JSON.stringify(filename)} has characters a wheel or sdist name never has ` +
        "(letters, digits and ._+!- only, starting with a letter or digit, at most 255)",
    );
  }
  return { filename, bytes };
}

/** Checks every digest given against the bytes; at least sha256 or blake2_256 must be given. */
function checkDigests(form: Form, bytes: Uint8Array): void {
  let strong = false;
  for (const { field, hex, compute } of DIGESTS) {
    const given = optional(form, field);
    if (given === undefined) continue;
    if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(given)) {
      throw new FormFieldError(field, `must be ${hex} hexadecimal digits`);
    }
    const actual = compute(bytes);
    if (given.toLowerCase() !== actual) {
      throw new FormFieldError(
        field,
        `${given} does not match the uploaded file (${actual}); the upload was corrupted or the digest is of another file`,
      );
    }
    if (STRONG_DIGESTS.includes(field)) strong = true;
  }
  if (!strong)
    throw new FormFieldError("sha256_digest", "is missing: give sha256_digest or blake2_256_digest");
}

/** Reads and checks the form; throws FormFieldError naming the first field that is wrong. */
export function readLegacyUpload(form: Form): LegacyUpload {
  expect(form, ":action", "file_upload");
  expect(form, "protocol_version", "1");
  const { filename, bytes } = contentFile(form);
  const name = required(form, "name");
  const version = required(form, "version");
  const filetype = required(form, "filetype");
  // PEP 740: a JSON list; an empty one (what some tools send without any) is no attestation.
  if (form.fields.get("attestations")?.some((value) => value.trim() !== "[]")) {
    throw new FormFieldError(
      "attestations",
      "this index neither verifies nor serves attestations (PEP 740); upload without them",
    );
  }
  // Throws a PublishingError saying what is wrong with the file name.
  const file = parseDistributionFilename(filename);
  if (filetype !== FILETYPES[file.kind]) {
    throw new FormFieldError(
      "filetype",
      `is ${JSON.stringify(filetype)} but ${filename} is a ${file.kind} (${FILETYPES[file.kind]})`,
    );
  }
  if (normalizeProjectName(name) !== file.project) {
    throw new FormFieldError(
      "name",
      `${JSON.stringify(name)} is not the project of ${filename} (${file.project})`,
    );
  }
  if (!sameVersion(version, file.version)) {
    throw new FormFieldError(
      "version",
      `${JSON.stringify(version)} is not the version of ${filename} (${file.version})`,
    );
  }
  checkDigests(form, bytes);
  return { filename, bytes, project: file.project, version: file.version };
}
