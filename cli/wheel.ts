/**
 * Wheels (binary distribution format): file-name parsing, reading `METADATA` from the archive,
 * and `buildWheel`, which makes a small, valid pure-Python wheel in memory (the sandbox's demo
 * package and the tests install what it builds with real pip).
 */
import * as crypto from "crypto";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { isValidProjectName, normalizeProjectName } from "../domain/names";
import { CoreMetadata, isFilenameNameComponent, parseCoreMetadata } from "./coreMetadata";
import { CliError } from "./errors";
import { canonicalVersion, isValidVersion } from "./version";

const WHEEL_SPEC = "https://packaging.python.org/specifications/binary-distribution-format/";
const BUILD_TAG = /^[0-9][A-Za-z0-9_.]*$/;
const TAG = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

export interface WheelFilename {
  readonly filename: string;
  /** The name as spelled in the file name. */
  readonly name: string;
  /** PEP 503 normalized project name. */
  readonly project: string;
  readonly version: string;
  readonly buildTag?: string;
  /** Compressed tag sets expanded: `py2.py3` → `["py2", "py3"]`. */
  readonly pythonTags: readonly string[];
  readonly abiTags: readonly string[];
  readonly platformTags: readonly string[];
}

function invalidWheelName(filename: string, reason: string): CliError {
  return new CliError(
    `invalid wheel file name "${filename}": ${reason}; expected ` +
      `{name}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl (${WHEEL_SPEC})`,
  );
}

export function parseWheelFilename(filename: string): WheelFilename {
  if (!filename.endsWith(".whl")) throw invalidWheelName(filename, "it does not end in .whl");
  const parts = filename.slice(0, -".whl".length).split("-");
  if (parts.length !== 5 && parts.length !== 6) {
    throw invalidWheelName(filename, `it has ${parts.length} dash-separated parts, not 5 or 6`);
  }
  const [name, version] = parts;
  const buildTag = parts.length === 6 ? parts[2] : undefined;
  const [python, abi, platform] = parts.slice(-3);
  if (!isFilenameNameComponent(name)) {
    throw invalidWheelName(filename, `"${name}" is not a valid distribution name`);
  }
  if (!isValidVersion(version)) throw invalidWheelName(filename, `"${version}" is not a PEP 440 version`);
  if (buildTag !== undefined && !BUILD_TAG.test(buildTag)) {
    throw invalidWheelName(filename, `build tag "${buildTag}" must start with a digit`);
  }
  for (const tag of [python, abi, platform]) {
    if (!TAG.test(tag)) throw invalidWheelName(filename, `"${tag}" is not a valid compatibility tag set`);
  }
  return {
    filename,
    name,
    project: normalizeProjectName(name),
    version,
    ...(buildTag !== undefined ? { buildTag } : {}),
    pythonTags: python.split("."),
    abiTags: abi.split("."),
    platformTags: platform.split("."),
  };
}

export interface WheelContents {
  readonly metadata: CoreMetadata;
  /** The exact bytes of `METADATA`, served next to the wheel as `<file>.metadata` (PEP 658). */
  readonly metadataBytes: Uint8Array;
}

const DIST_INFO_METADATA = /^[^/]+\.dist-info\/METADATA$/;

/** Reads and checks `*.dist-info/METADATA` from a wheel's bytes. */
export function readWheelMetadata(wheel: WheelFilename, bytes: Uint8Array): WheelContents {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (file) => DIST_INFO_METADATA.test(file.name) });
  } catch (err) {
    throw new CliError(
      `"${wheel.filename}" is not a readable zip archive (${(err as Error).message}); rebuild the wheel`,
    );
  }
  const names = Object.keys(entries);
  if (names.length !== 1) {
    throw new CliError(
      `"${wheel.filename}" must contain exactly one top-level *.dist-info/METADATA, found ${names.length}; ` +
        "rebuild the wheel",
    );
  }
  const metadataBytes = entries[names[0]];
  const metadata = parseCoreMetadata(strFromU8(metadataBytes), `METADATA of "${wheel.filename}"`, wheel);
  return { metadata, metadataBytes };
}

export interface WheelSpec {
  /** Project name (any spelling; the file name uses the normalized form with underscores). */
  readonly name: string;
  readonly version: string;
  readonly requiresPython?: string;
  readonly summary?: string;
  /**
   * Files to install, by path relative to site-packages.
   * @default one module, `<name_with_underscores>/__init__.py`, defining `__version__`
   */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

export interface BuiltWheel {
  readonly filename: string;
  readonly bytes: Uint8Array;
}

function recordHash(data: Uint8Array): string {
  return "sha256=" + crypto.createHash("sha256").update(data).digest("base64url");
}

/** Builds a pure-Python `py3-none-any` wheel with METADATA, WHEEL and a RECORD of sha256 entries. */
export function buildWheel(spec: WheelSpec): BuiltWheel {
  if (!isValidProjectName(spec.name))
    throw new CliError(`buildWheel: "${spec.name}" is not a valid project name`);
  if (!isValidVersion(spec.version))
    throw new CliError(`buildWheel: "${spec.version}" is not a PEP 440 version`);
  const distName = normalizeProjectName(spec.name).replace(/-/g, "_");
  const version = canonicalVersion(spec.version);
  const distInfo = `${distName}-${version}.dist-info`;
  const files = spec.files ?? { [`${distName}/__init__.py`]: `__version__ = "${version}"\n` };
  const metadata = [
    "Metadata-Version: 2.1",
    `Name: ${spec.name}`,
    `Version: ${version}`,
    ...(spec.summary ? [`Summary: ${spec.summary}`] : []),
    ...(spec.requiresPython ? [`Requires-Python: ${spec.requiresPython}`] : []),
    "Description-Content-Type: text/markdown",
    // A description body: `twine check` refuses a wheel whose long description renders empty.
    "",
    `# ${spec.name}`,
    "",
    spec.summary ?? `Version ${version} of ${spec.name}.`,
  ].join("\n");
  const wheelInfo = [
    "Wheel-Version: 1.0",
    "Generator: python-package-index",
    "Root-Is-Purelib: true",
    "Tag: py3-none-any",
  ];
  const contents: Record<string, Uint8Array> = {};
  for (const [path, data] of Object.entries(files)) {
    if (/[,"\r\n]/.test(path) || path.startsWith("/") || path.split("/").includes("..")) {
      throw new CliError(`buildWheel: file path "${path}" must be relative, without "..", commas or quotes`);
    }
    contents[path] = typeof data === "string" ? strToU8(data) : data;
  }
  contents[`${distInfo}/METADATA`] = strToU8(metadata + "\n");
  contents[`${distInfo}/WHEEL`] = strToU8(wheelInfo.join("\n") + "\n");
  const record = Object.entries(contents).map(([path, data]) => `${path},${recordHash(data)},${data.length}`);
  contents[`${distInfo}/RECORD`] = strToU8([...record, `${distInfo}/RECORD,,`].join("\n") + "\n");
  const bytes = zipSync(contents, { level: 6, mtime: new Date("2020-01-01T00:00:00Z") });
  return { filename: `${distName}-${version}-py3-none-any.whl`, bytes };
}
