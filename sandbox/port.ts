/** The port `npm start` listens on. */

export const DEFAULT_SANDBOX_PORT = 8080;

/** The port from `--port`, else `PORT`, else the default; a clear error for anything else. */
export function resolvePort(flag: string | undefined, env: string | undefined): number {
  const [source, text] =
    flag !== undefined ? ["--port", flag] : env !== undefined && env !== "" ? ["PORT", env] : ["", undefined];
  if (text === undefined) return DEFAULT_SANDBOX_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new Error(`${source} "${text}" is not a port number; use an integer from 0 to 65535`);
  }
  return Number(text);
}
