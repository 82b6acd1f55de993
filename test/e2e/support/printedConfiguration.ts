/**
 * The configuration `keys create` prints, as a user copies it: the operator CLI runs as a process
 * against the sandbox, and its output is cut into the blocks under each heading of
 * `cli/clientConfig.ts`, every line exactly as printed (only the two-space indent removed).
 */
import { expect } from "chai";
import { ConfigurationBlock, CONFIGURATION_HEADINGS, PACKAGE_PLACEHOLDER } from "../../../cli/clientConfig";
import type { Sandbox } from "../../../sandbox";
import { spawnCli } from "../../cli/support/spawnCli";

export interface PrintedKey {
  readonly publicKey: string;
  readonly secretKey: string;
  readonly blocks: Readonly<Record<ConfigurationBlock, readonly string[]>>;
}

/** Each heading's lines: indented by two spaces (or empty), up to the next line that is not. */
export function parsePrintedConfiguration(stdout: string): Record<ConfigurationBlock, string[]> {
  const lines = stdout.split("\n");
  const blocks = {} as Record<ConfigurationBlock, string[]>;
  for (const [block, heading] of Object.entries(CONFIGURATION_HEADINGS) as [ConfigurationBlock, string][]) {
    const start = lines.indexOf(heading);
    if (start < 0) throw new Error(`keys create printed no "${heading}" block:\n${stdout}`);
    const body: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (line !== "" && !line.startsWith("  ")) break;
      body.push(line.slice(2));
    }
    while (body.at(-1) === "") body.pop();
    blocks[block] = body;
  }
  return blocks;
}

/** `npm run cli -- keys create --tenant <tenant>` against the sandbox: the key and the printed blocks. */
export async function createKeyWithCli(sandbox: Sandbox, tenant: string): Promise<PrintedKey> {
  const created = await spawnCli(["keys", "create", "--tenant", tenant], { ...sandbox.env });
  expect(created.code, created.stderr).to.equal(0);
  const field = (name: string) => new RegExp(`^  ${name}: (\\S+)$`, "m").exec(created.stdout)?.[1];
  const publicKey = field("public key");
  const secretKey = field("secret key");
  if (!publicKey || !secretKey) throw new Error(`keys create printed no key:\n${created.stdout}`);
  return { publicKey, secretKey, blocks: parsePrintedConfiguration(created.stdout) };
}

/** The block's text with the user's package name where the placeholder stands. */
export function pasted(lines: readonly string[], project: string): string {
  return lines.join("\n").split(PACKAGE_PLACEHOLDER).join(project) + "\n";
}

/** The variables of printed `export NAME=VALUE` lines, as a shell would set them. */
export function exportedVariables(lines: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    lines.map((line) => {
      // A value a shell takes literally: no quoting, expansion or word splitting.
      const match = /^export ([A-Z_][A-Z0-9_]*)=([A-Za-z0-9_.:/@%+=-]+)$/.exec(line);
      if (!match) throw new Error(`"${line}" is not an export line a shell would run as pasted`);
      return [match[1], match[2]];
    }),
  );
}

/** The arguments of one printed command line, after its program name (`pip`, `poetry`). */
export function commandArguments(line: string, program: string, project: string): string[] {
  const [name, ...args] = line.split(" ");
  expect(name, line).to.equal(program);
  return args.map((arg) => (arg === PACKAGE_PLACEHOLDER ? project : arg));
}
