/**
 * The compiled programs in dist/ that `npm ci` builds and `npm run cli` / `npm start` run. A test
 * that runs them first makes sure the build matches the sources, so it never tests old code.
 */
import * as path from "path";
import { BUILD_COMMAND, BUILD_DIR, PROJECT_ROOT, staleBuildReason } from "../../build/stamp";

/** The path of `relative` (e.g. `cli/main.js`) in dist/; throws, naming the command, when the build is stale. */
export function compiled(relative: string): string {
  const reason = staleBuildReason(PROJECT_ROOT, BUILD_DIR);
  if (reason !== undefined) {
    throw new Error(`dist/ is out of date (${reason}): run \`${BUILD_COMMAND}\`, then the tests again`);
  }
  return path.join(BUILD_DIR, relative);
}
