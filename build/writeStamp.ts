/** `npm run build`'s last step, after `tsc -p tsconfig.build.json`: writes dist/build-stamp.json. */
import { writeBuildStamp } from "./stamp";

const stamp = writeBuildStamp();
process.stdout.write(
  `build: dist/ compiled from ${stamp.sources.length} files (sha256 ${stamp.sha256.slice(0, 12)})\n`,
);
