/**
 * `npm run python-tools` (and the root package's `prepare`, so `npm ci` runs it): creates or
 * updates `.venv/` from `python/requirements.txt`, or says in one line what stops it.
 */
import * as path from "path";
import { refuseStaleBuild } from "../build/stamp";
import { ensurePythonTools, pinnedToolVersions, PythonToolsError } from "./pythonTools";

// Before any work: the modules above only define things when they load.
refuseStaleBuild();
try {
  const { created, ms, dir } = ensurePythonTools();
  const versions = Object.entries(pinnedToolVersions())
    .map(([tool, version]) => `${tool} ${version}`)
    .join(", ");
  const relative = path.relative(process.cwd(), dir);
  const where = relative && !relative.startsWith("..") ? relative : dir;
  console.log(
    `python tools ${created ? `installed into ${where} in ${(ms / 1000).toFixed(1)} s` : `in ${where} are up to date`}: ${versions}`,
  );
} catch (err) {
  console.error(`python tools: ${err instanceof PythonToolsError ? err.message : String(err)}`);
  process.exit(1);
}
