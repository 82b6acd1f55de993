/**
 * Parses a command line and runs the command: `--help` everywhere, exit 0 on success, otherwise a
 * one-line reason on stderr and exit 1 (2 for a usage mistake). `--json` prints one JSON document
 * on stdout.
 */
import { parseArgs, ParseArgsConfig } from "node:util";
import { COMMANDS, Command, CommandContext } from "./commands";
import { PublishingError } from "../publishing/errors";
import { CliError, UsageError } from "./errors";
import { resolveTarget } from "./target";

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly env: NodeJS.ProcessEnv;
}

const TARGET_OPTIONS = [
  "bucket",
  "table",
  "region",
  "table-region",
  "endpoint-url",
  "stack-outputs",
  "index-url",
];

const COMMON_HELP = `Target (flags override --stack-outputs, which overrides the environment):
  --stack-outputs FILE   JSON of \`pulumi stack output --json\` (bucketName, credentialsTableName, region, indexUrl)
  --bucket NAME          index bucket (PACKAGE_INDEX_BUCKET)
  --region REGION        the bucket's region (AWS_REGION)
  --table NAME           credentials table (PACKAGE_INDEX_TABLE)
  --table-region REGION  the table's region (PACKAGE_INDEX_TABLE_REGION; default us-east-1)
  --endpoint-url URL     S3/DynamoDB endpoint, e.g. a local moto_server (AWS_ENDPOINT_URL)
  --index-url URL        the index's /simple/ URL (PACKAGE_INDEX_URL)
Output:
  --json                 print one JSON document on stdout
  --help                 this help
AWS credentials come from the standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, roles).`;

function usage(names: string[] = Object.keys(COMMANDS)): string {
  const lines = names.map((name) => `  ${COMMANDS[name].usage}\n      ${COMMANDS[name].summary}`);
  return `Usage: npm run cli -- <command> [options]\n\nCommands:\n${lines.join("\n")}\n\n${COMMON_HELP}\n`;
}

function commandHelp(command: Command): string {
  return `Usage: npm run cli -- ${command.usage}\n\n${command.summary}\n\n${COMMON_HELP}\n`;
}

/** Finds the command named by the first one or two words. */
function findCommand(argv: string[]): { name: string; command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(" ");
    if (COMMANDS[name]) return { name, command: COMMANDS[name], rest: argv.slice(words) };
  }
  return undefined;
}

function parse(command: Command, argv: string[]) {
  const options: ParseArgsConfig["options"] = { json: { type: "boolean" }, help: { type: "boolean" } };
  for (const name of [...TARGET_OPTIONS, ...command.options]) options[name] = { type: "string" };
  for (const name of command.flags ?? []) options[name] = { type: "boolean" };
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split("\n")[0]}; see --help`);
  }
}

/** Turns any error into the one line the operator sees. */
export function explainError(err: unknown): string {
  if (err instanceof CliError || err instanceof PublishingError) return err.message;
  const e = err as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const message = (e.message ?? String(err)).split("\n")[0];
  if (e.name === "CredentialsProviderError")
    return `no AWS credentials found (${message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID`;
  if (e.name === "NoSuchBucket")
    return `the bucket does not exist (${message}); check --bucket / PACKAGE_INDEX_BUCKET and --region`;
  if (e.name === "ResourceNotFoundException")
    return `the credentials table was not found (${message}); check --table and --table-region`;
  if (
    e.name === "AccessDenied" ||
    e.name === "AccessDeniedException" ||
    e.$metadata?.httpStatusCode === 403
  ) {
    return `AWS denied the request (${message}); use credentials of a role allowed to manage this index`;
  }
  if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND")
    return `cannot reach AWS (${message}); check --endpoint-url and the network`;
  return `unexpected error: ${e.name ?? "Error"}: ${message}`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "help") {
      io.stdout.write(usage());
      return 0;
    }
    // `keys` alone or `keys --help`: the commands of the group.
    const group = Object.keys(COMMANDS).filter((name) => name.startsWith(`${argv[0]} `));
    if (group.length > 0 && argv[1] === "--help") {
      io.stdout.write(usage(group));
      return 0;
    }
    if (group.length > 0 && argv.length === 1) {
      const subcommands = group.map((name) => name.split(" ")[1]).join(", ");
      io.stderr.write(`error: "${argv[0]}" needs a subcommand: ${subcommands}; see ${argv[0]} --help\n`);
      return 2;
    }
    io.stderr.write(`error: unknown command "${argv.slice(0, 2).join(" ")}"; see --help\n`);
    return 2;
  }
  const { command } = found;
  try {
    const { values, positionals } = parse(command, found.rest);
    if (values.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const [min, max] = command.positionals;
    if (positionals.length < min || positionals.length > max) {
      throw new UsageError(`wrong number of arguments; usage: ${command.usage}`);
    }
    const json = values.json === true;
    const ctx: CommandContext = {
      values: values as CommandContext["values"],
      positionals,
      target: resolveTarget(values as Record<string, string>, io.env),
      env: io.env,
      stderr: io.stderr,
      print: (human, data) => io.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`),
    };
    await command.run(ctx);
    return 0;
  } catch (err) {
    io.stderr.write(`error: ${explainError(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}
