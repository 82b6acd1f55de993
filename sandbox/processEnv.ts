/**
 * The edge bundle reaches DynamoDB the way it does at the edge — endpoint, region and credentials
 * from the process environment (`AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`) — so the
 * sandbox points this process's environment at its local AWS while it runs, and puts the
 * previous values back when it stops. The environment is process-wide, so only one sandbox may
 * run in a process at a time.
 */

let active = false;

function assign(values: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/**
 * Sets `values` in `process.env` (`undefined` removes a variable); the returned function restores
 * what was there before.
 */
export function claimProcessEnv(values: Readonly<Record<string, string | undefined>>): () => void {
  if (active) {
    throw new Error(
      "a sandbox is already running in this process: the edge bundle reads AWS_ENDPOINT_URL from process.env, so stop it first",
    );
  }
  active = true;
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  assign(values);
  return () => {
    assign(previous);
    active = false;
  };
}
