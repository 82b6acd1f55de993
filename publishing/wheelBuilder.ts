/**
 * `buildWheel` makes a small, valid pure-Python wheel in memory: the sandbox seeds its demo project
 * with it, and the tests and benchmarks build what they publish (and install with real pip) with it.
 * It lives in the core rather than in `fixtures/` because the sandbox, an adapter, uses it at run time.
 */
import * as crypto from "crypto";
import { strToU8, zipSync } from "fflate";
import { isValidProjectName, normalizeProjectName } from "../domain/names";
import { PublishingError } from "./errors";
import { canonicalVersion, isValidVersion } from "./version";

export interface WheelSpec {
  /** Project name (any spelling; the file name uses the normalized form with underscores). */
  readonly name: string;
  readonly version: string;
  readonly requiresPython?: string;
  readonly summary?: string;
  /** Dependencies, each a PEP 508 requirement (`Requires-Dist`). @default [] */
  readonly requiresDist?: readonly string[];
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
    throw new PublishingError(`buildWheel: "${spec.name}" is not a valid project name`);
  if (!isValidVersion(spec.version))
    throw new PublishingError(`buildWheel: "${spec.version}" is not a PEP 440 version`);
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
    ...(spec.requiresDist ?? []).map((requirement) => `Requires-Dist: ${requirement}`),
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
      throw new PublishingError(
        `buildWheel: file path "${path}" must be relative, without "..", commas or quotes`,
      );
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
