/**
 * Starts a Pulumi Deployment of one stack at one exact commit and waits for its result, so the
 * calling workflow job succeeds only when `pulumi up` did. Everything else (repository, OIDC role,
 * executor image, pre-run commands) is inherited from the stack's deployment settings, which the
 * `deployments/` program manages.
 *
 *   npx ts-node --transpile-only scripts/runDeployment.ts --organization ORG --stack prod --commit SHA
 *       [--project python-package-index] [--operation update] [--timeout-minutes 60]
 */
import { parseArgs } from "node:util";
import { DEPLOY_STACKS, DEPLOYMENT_OPERATIONS, DeployStack, DeploymentOperation } from "../domain/delivery";
import { PulumiCloud, StackRef } from "./pulumiCloud";
import { PROJECT_NAME } from "../domain/project";

/** Deployment statuses after which nothing changes any more. */
const FINAL_STATUSES = new Set(["succeeded", "failed", "skipped", "cancelled", "canceled"]);

/**
 * Pure: the create-deployment body. The settings name a branch; a deploy must run the commit the
 * workflow was triggered for (a tag's commit is not the branch head), and the API treats branch and
 * commit as mutually exclusive, so the inherited branch is removed (`null` deletes a field when the
 * request is merged into the stack's settings).
 */
export function buildDeploymentRequest(
  operation: DeploymentOperation,
  commit: string,
): Record<string, unknown> {
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw new Error(
      `--commit is ${JSON.stringify(commit)}; expected a full 40-character git SHA (github.sha)`,
    );
  }
  return { operation, inheritSettings: true, sourceContext: { git: { branch: null, commit } } };
}

export interface DeploymentOptions {
  readonly stackRef: StackRef;
  readonly operation: DeploymentOperation;
  readonly commit: string;
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): DeploymentOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      organization: { type: "string" },
      project: { type: "string", default: PROJECT_NAME },
      stack: { type: "string" },
      commit: { type: "string" },
      operation: { type: "string", default: "update" },
      "timeout-minutes": { type: "string", default: "60" },
      "poll-seconds": { type: "string", default: "10" },
    },
    strict: true,
  });
  const organization = values.organization ?? env.PULUMI_ORGANIZATION ?? "";
  if (!organization)
    throw new Error("--organization (or PULUMI_ORGANIZATION) is required: the Pulumi Cloud org");
  if (!(DEPLOY_STACKS as readonly string[]).includes(values.stack ?? "")) {
    throw new Error(
      `--stack is ${JSON.stringify(values.stack)}; expected one of ${DEPLOY_STACKS.join(", ")}`,
    );
  }
  if (!(DEPLOYMENT_OPERATIONS as readonly string[]).includes(values.operation)) {
    throw new Error(
      `--operation is ${JSON.stringify(values.operation)}; expected ${DEPLOYMENT_OPERATIONS.join(", ")}`,
    );
  }
  const minutes = Number(values["timeout-minutes"]);
  const seconds = Number(values["poll-seconds"]);
  if (!(minutes > 0) || !(seconds > 0))
    throw new Error("--timeout-minutes and --poll-seconds must be positive numbers");
  const commit = values.commit ?? "";
  buildDeploymentRequest(values.operation as DeploymentOperation, commit); // validates the SHA before any call
  return {
    stackRef: { organization, project: values.project, stack: values.stack as DeployStack },
    operation: values.operation as DeploymentOperation,
    commit,
    timeoutMs: minutes * 60_000,
    pollMs: seconds * 1000,
  };
}

/** Creates the deployment, polls it to a final status, and throws unless it succeeded. */
export async function runDeployment(
  options: DeploymentOptions,
  cloud: PulumiCloud,
  log: (line: string) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  const base = PulumiCloud.stackPath(options.stackRef, "/deployments");
  const created = await cloud.request<{ id: string; consoleUrl?: string }>(
    "POST",
    base,
    buildDeploymentRequest(options.operation, options.commit),
  );
  log(
    `deployment ${created.id} of ${options.stackRef.stack} at ${options.commit} queued ${created.consoleUrl ?? ""}`,
  );
  let status = "";
  for (let waited = 0; waited <= options.timeoutMs; waited += options.pollMs) {
    const deployment = await cloud.request<{ status: string }>(
      "GET",
      `${base}/${encodeURIComponent(created.id)}`,
    );
    if (deployment.status !== status) log(`status: ${deployment.status}`);
    status = deployment.status;
    if (FINAL_STATUSES.has(status)) break;
    await sleep(options.pollMs);
  }
  if (status !== "succeeded") {
    const reason = FINAL_STATUSES.has(status) ? `ended ${status}` : `still ${status} after the timeout`;
    throw new Error(
      `deployment ${created.id} of ${options.stackRef.stack} ${reason}; see the Pulumi Cloud console`,
    );
  }
}

if (require.main === module) {
  Promise.resolve()
    .then(() =>
      runDeployment(parseCli(process.argv.slice(2)), PulumiCloud.fromEnv(), (line) => console.log(line)),
    )
    .catch((error: Error) => {
      console.error(`runDeployment: ${error.message}`);
      process.exit(1);
    });
}
