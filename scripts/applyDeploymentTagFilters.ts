/**
 * Applies the tag routes of `deployments/tagRoutes.ts` to each stack's Pulumi Deployments settings
 * (`deployTags`, `tagFilters`), which `@pulumi/pulumiservice` DeploymentSettings cannot set yet.
 * It reads the current settings, merges the two fields into the stack's VCS block and writes them
 * back through the REST API's merge-patch endpoint; `--dry-run` prints the payload and writes nothing.
 *
 *   npx ts-node --transpile-only scripts/applyDeploymentTagFilters.ts --organization ORG [--dry-run]
 *       [--project python-package-index] [--stacks dev,staging,prod] [--deploy-tags]
 *
 * `deployTags` stays false unless `--deploy-tags` is given: deploys are triggered by
 * `.github/workflows/deploy.yml` (GitHub environment approval, one concurrency group per stack), and a
 * second, native trigger would deploy every tag twice. The filters are written either way, so that a
 * tag trigger switched on later (here or in the console) can only ever route tags as tagRoutes.ts does.
 */
import { parseArgs } from "node:util";
import { DEPLOY_STACKS, DeployStack, TAG_FILTERS } from "../domain/delivery";
import { PulumiCloud, StackRef } from "./pulumiCloud";
import { PROJECT_NAME } from "../domain/project";

/** The parts of a stack's deployment settings this script reads. */
export interface DeploymentSettingsDocument {
  readonly vcs?: Record<string, unknown>;
  readonly gitHub?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface TagFilterPatch {
  /** Which settings block holds the stack's VCS integration (`vcs`, or legacy `gitHub`). */
  readonly block: "vcs" | "gitHub";
  /** The body POSTed to `/deployments/settings` (merged server-side into the current settings). */
  readonly payload: Record<string, { deployTags: boolean; tagFilters: string[] }>;
  /** The VCS block as it will read after the patch. */
  readonly merged: Record<string, unknown>;
}

/** Pure: the patch that gives `stack` its tag filters, given its current settings. */
export function buildTagFilterPatch(
  stack: DeployStack,
  current: DeploymentSettingsDocument,
  options: { readonly deployTags: boolean },
): TagFilterPatch {
  const block = current.vcs ? "vcs" : current.gitHub ? "gitHub" : undefined;
  if (!block) {
    throw new Error(
      `stack ${stack} has no VCS integration in its deployment settings; ` +
        "run `pulumi up` in deployments/ first (it sets the repository), then run this script again",
    );
  }
  const tagFilters = [...TAG_FILTERS[stack]];
  // A stack without tag routes (dev) never deploys from tags, whatever the flag says.
  const fields = { deployTags: options.deployTags && tagFilters.length > 0, tagFilters };
  return { block, payload: { [block]: fields }, merged: { ...current[block], ...fields } };
}

export interface CliOptions {
  readonly organization: string;
  readonly project: string;
  readonly stacks: DeployStack[];
  readonly deployTags: boolean;
  readonly dryRun: boolean;
}

/** Parses and validates the command line; throws with the fix in the message. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      organization: { type: "string" },
      project: { type: "string", default: PROJECT_NAME },
      stacks: { type: "string", default: DEPLOY_STACKS.join(",") },
      "deploy-tags": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
    strict: true,
  });
  const organization = values.organization ?? env.PULUMI_ORGANIZATION ?? "";
  if (!organization)
    throw new Error("--organization (or PULUMI_ORGANIZATION) is required: the Pulumi Cloud org");
  const stacks = values.stacks.split(",").map((s) => s.trim());
  const unknown = stacks.filter((s) => !(DEPLOY_STACKS as readonly string[]).includes(s));
  if (unknown.length > 0 || stacks.length === 0) {
    throw new Error(
      `--stacks has ${JSON.stringify(unknown.join(","))}; expected a subset of ${DEPLOY_STACKS.join(",")}`,
    );
  }
  return {
    organization,
    project: values.project,
    stacks: stacks as DeployStack[],
    deployTags: values["deploy-tags"],
    dryRun: values["dry-run"],
  };
}

/**
 * Reads, merges and (unless dry-running) writes each stack's settings. Without a client (a dry run
 * with no token) the current settings are not read and the payload is shown for the `vcs` block.
 */
export async function applyTagFilters(
  options: CliOptions,
  cloud: PulumiCloud | undefined,
  log: (line: string) => void,
): Promise<void> {
  for (const stack of options.stacks) {
    const ref: StackRef = { organization: options.organization, project: options.project, stack };
    const path = PulumiCloud.stackPath(ref, "/deployments/settings");
    const current = cloud ? await cloud.request<DeploymentSettingsDocument>("GET", path) : { vcs: {} };
    const patch = buildTagFilterPatch(stack, current ?? {}, options);
    log(`${options.dryRun ? "would POST" : "POST"} ${path} ${JSON.stringify(patch.payload)}`);
    log(`  ${stack} ${patch.block} after the patch: ${JSON.stringify(patch.merged)}`);
    if (!options.dryRun && cloud) await cloud.request("POST", path, patch.payload);
  }
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  const offlineDryRun = options.dryRun && !process.env.PULUMI_ACCESS_TOKEN;
  if (offlineDryRun) console.log("dry run without PULUMI_ACCESS_TOKEN: current settings not read");
  await applyTagFilters(options, offlineDryRun ? undefined : PulumiCloud.fromEnv(), (line) =>
    console.log(line),
  );
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`applyDeploymentTagFilters: ${error.message}`);
    process.exit(1);
  });
}
