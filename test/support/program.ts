/**
 * Runs the whole program (`index.ts`) under Pulumi mocks with one stack's configuration, the way
 * `pulumi up -s <stack>` would hand it over: the values of `Pulumi.<stack>.yaml` merged over the
 * defaults Pulumi.yaml declares, checked as the CLI checks them (under mocks nothing else would).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  ExpectedRefusal,
  InvokeHandler,
  ResourceRecorder,
  expectRefusedBeforeRegistering,
  settle,
  setupMocks,
  valueOf,
} from "../mocks";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(PROJECT_ROOT, "index.ts");

export interface ProgramRun {
  readonly recorder: ResourceRecorder;
  /** The program's exports, resolved. */
  readonly outputs: Record<string, unknown>;
}

export interface RunProgramOptions {
  /** Replaces or (with `undefined`) removes stack-file values, keyed `project:key` as in the file. */
  readonly config?: Record<string, string | undefined>;
  /** Mocked invokes, by token. */
  readonly invokes?: Record<string, InvokeHandler>;
  /** Runs under this stack name, with the stack file given as `stack`. @default `stack` */
  readonly stackName?: string;
}

/** Data sources the program reads, answered as the stack's account would; `options.invokes` overrides. */
const PROGRAM_INVOKES: Record<string, InvokeHandler> = {
  // CodeArtifact: the account id for the domain key policy.
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: "123456789012",
    arn: "arn:aws:sts::123456789012:assumed-role/ppi-deployer/pulumi",
    userId: "AROAEXAMPLE:pulumi",
    id: "123456789012",
  }),
  // CodeArtifact endpoints in an existing VPC: its CIDRs and DNS attributes.
  "aws:ec2/getVpc:getVpc": (args) => ({
    id: args.id,
    cidrBlock: "10.20.0.0/16",
    cidrBlockAssociations: [
      { associationId: "vpc-cidr-assoc-1", cidrBlock: "10.20.0.0/16", state: "associated" },
    ],
    enableDnsSupport: true,
    enableDnsHostnames: true,
  }),
};

interface ProjectKey {
  readonly type?: "string" | "integer" | "boolean" | "array";
  readonly items?: { readonly type: string };
  readonly default?: unknown;
  readonly value?: unknown;
}

/** A config value as the CLI passes it to a program: strings as they are, the rest JSON-encoded. */
function asProgramValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function hasDeclaredType(key: ProjectKey, value: unknown): boolean {
  switch (key.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value) && value.every((item) => typeof item === key.items?.type);
    default:
      return true;
  }
}

/** "'a'", "'a' and 'b'", "'a', 'b' and 'c'", as the CLI lists missing keys. */
function listKeys(keys: string[]): string {
  const quoted = [...keys].sort().map((key) => `'${key}'`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
}

/**
 * The stack's config as `pulumi up -s <stack>` in `projectDir` passes it to the program
 * (`project:key` → string), with `overrides` applied to the stack file first (`undefined` removes a
 * key). Like the CLI (ValidateStackConfigAndMergeProjectConfig in
 * pulumi/sdk/go/common/workspace/config.go), it fills in Pulumi.yaml's defaults, refuses a stack
 * value of the wrong declared type and refuses a stack that leaves a declared key without a default unset.
 */
export function cliStackConfig(
  projectDir: string,
  stack: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const stackFile = parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const values: Record<string, unknown> = { ...stackFile.config };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  const projectFile = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, ProjectKey>;
  };
  const missing: string[] = [];
  for (const [name, declared] of Object.entries(projectFile.config ?? {})) {
    const key = name.includes(":") ? name : `${projectFile.name}:${name}`;
    const given = key in values;
    const projectValue = declared.default ?? declared.value;
    if (!given && projectValue === undefined) {
      if (key.startsWith(`${projectFile.name}:`)) missing.push(name);
    } else if (!given) {
      values[key] = projectValue;
    } else if (!(key in overrides) && !hasDeclaredType(declared, values[key])) {
      const type = declared.type === "array" ? `array<${declared.items?.type}>` : declared.type;
      throw new Error(`Stack '${stack}' with configuration key '${name}' must be of type '${type}'`);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${listKeys(missing)}`,
    );
  }
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, asProgramValue(value)]));
}

/** The infrastructure program's config for `stack`, as the CLI passes it (see `cliStackConfig`). */
export function stackConfig(
  stack: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  return cliStackConfig(PROJECT_ROOT, stack, overrides);
}

/** Forgets the program's own modules, so the next `require` runs index.ts again from the top. */
function unloadProgramModules(): void {
  for (const file of Object.keys(require.cache)) {
    const relative = path.relative(PROJECT_ROOT, file);
    const ownModule = !relative.startsWith("..") && !relative.split(path.sep).includes("node_modules");
    if (ownModule && !relative.startsWith(`test${path.sep}`)) delete require.cache[file];
  }
}

/** Installs fresh mocks holding the stack's config as the CLI would pass it (with `options` applied). */
function installMocks(stack: string, options: RunProgramOptions): Promise<ResourceRecorder> {
  const config = stackConfig(stack, options.config);
  const invokes = { ...PROGRAM_INVOKES, ...options.invokes };
  return setupMocks({ stack: options.stackName ?? stack, config, invokes });
}

/** Longest wait for one export of the program under mocks. */
const EXPORT_TIMEOUT_MS = 60_000;

/** Runs index.ts from the top (its modules forgotten first); returns its exports. */
function loadProgram(): Record<string, unknown> {
  unloadProgramModules();
  return require(PROGRAM) as Record<string, unknown>;
}

/**
 * Loads index.ts fresh under mocks for `stack`, waits for every registration and resolves every
 * exported output.
 */
export async function runProgram(stack: string, options: RunProgramOptions = {}): Promise<ProgramRun> {
  const recorder = await installMocks(stack, options);
  const exports = loadProgram();
  const outputs: Record<string, unknown> = {};
  // The distribution waits for the upload function's URL, so for the serialization of its closure
  // and the walk of its packages: seconds on a busy machine, hence the longer bound.
  for (const [name, value] of Object.entries(exports))
    outputs[name] = await valueOf(value, `export ${name}`, EXPORT_TIMEOUT_MS);
  await settle();
  return { recorder, outputs };
}

/** Asserts that index.ts, loaded for `stack`, refuses with `expected` before registering anything. */
export async function expectProgramRefused(
  stack: string,
  expected: ExpectedRefusal,
  options: RunProgramOptions = {},
): Promise<Error> {
  const recorder = await installMocks(stack, options);
  return expectRefusedBeforeRegistering(loadProgram, expected, { recorder });
}
