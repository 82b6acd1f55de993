#!/usr/bin/env node
/**
 * Entry point: `ppi <command> [options]` or `npm run cli -- <command> [options]` (see `cli/run.ts`),
 * run compiled from dist/. The commands load after the build check, so a stale build never runs.
 */
import { refuseStaleBuild } from "../build/stamp";

refuseStaleBuild();
// Loaded after the check, and it loads the SDK only when a command runs (`--help` starts fast).
import("./run")
  .then(({ runCli }) =>
    runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }),
  )
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
