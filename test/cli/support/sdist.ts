/**
 * Builds sdists for tests with Python's own `tarfile` (pax format, gzip), so the CLI's tar reader
 * is tested against the archives real build tools write.
 */
import { spawnSync } from "child_process";

export interface SdistSpec {
  /** Top-level directory, normally `{name}-{version}`. */
  readonly root: string;
  /** PKG-INFO text; omitted means no PKG-INFO. */
  readonly pkgInfo?: string;
  /** Extra files by path below the root. */
  readonly files?: Record<string, string>;
}

const SCRIPT = `
import io, json, sys, tarfile
spec = json.load(sys.stdin)
out = io.BytesIO()
with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
    for path, text in spec["files"].items():
        data = text.encode("utf-8")
        info = tarfile.TarInfo(spec["root"] + "/" + path)
        info.size = len(data)
        info.mtime = 1577836800
        tar.addfile(info, io.BytesIO(data))
sys.stdout.buffer.write(out.getvalue())
`;

export function buildSdist(spec: SdistSpec): Buffer {
  const files = {
    ...(spec.files ?? {}),
    ...(spec.pkgInfo !== undefined ? { "PKG-INFO": spec.pkgInfo } : {}),
  };
  const result = spawnSync("python3", ["-c", SCRIPT], { input: JSON.stringify({ root: spec.root, files }) });
  if (result.status !== 0) throw new Error(`python3 tarfile failed: ${result.stderr.toString()}`);
  return result.stdout;
}

export function pkgInfo(name: string, version: string, requiresPython?: string): string {
  return [
    `Metadata-Version: 2.1`,
    `Name: ${name}`,
    `Version: ${version}`,
    ...(requiresPython ? [`Requires-Python: ${requiresPython}`] : []),
    "",
  ].join("\n");
}
