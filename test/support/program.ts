/**
 * Runs the whole program (`index.ts`) under Pulumi mocks with one stack's configuration, the way
 * `pulumi up -s <stack>` would hand it over: values from `Pulumi.<stack>.yaml` only (nothing merges
 * Pulumi.yaml defaults under mocks), strings as they are, everything else JSON-encoded.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { InvokeHandler, ResourceRecorder, settle, setupMocks, valueOf } from "../mocks";

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

/** The stack file's config as Pulumi passes it to a program: `project:key` → string. */
export function stackConfig(stack: string): Record<string, string> {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** Forgets the program's own modules, so the next `require` runs index.ts again from the top. */
function unloadProgramModules(): void {
  for (const file of Object.keys(require.cache)) {
    const relative = path.relative(PROJECT_ROOT, file);
    const ownModule = !relative.startsWith("..") && !relative.split(path.sep).includes("node_modules");
    if (ownModule && !relative.startsWith(`test${path.sep}`)) delete require.cache[file];
  }
}

/** Installs fresh mocks holding the stack file's config (with `options` applied). */
function installMocks(stack: string, options: RunProgramOptions): ResourceRecorder {
  const config = { ...stackConfig(stack), ...options.config };
  for (const [key, value] of Object.entries(config)) if (value === undefined) delete config[key];
  const invokes = { ...PROGRAM_INVOKES, ...options.invokes };
  return setupMocks({ stack: options.stackName ?? stack, config: config as Record<string, string>, invokes });
}

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
  const recorder = installMocks(stack, options);
  const exports = loadProgram();
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exports)) outputs[name] = await valueOf(value);
  await settle();
  return { recorder, outputs };
}

/** Runs a program that must throw while loading (e.g. on invalid config): its error and what it registered. */
export async function runFailingProgram(
  stack: string,
  options: RunProgramOptions = {},
): Promise<{ error: Error; recorder: ResourceRecorder }> {
  const recorder = installMocks(stack, options);
  try {
    loadProgram();
  } catch (error) {
    await settle();
    return { error: error as Error, recorder };
  }
  throw new Error(`the ${stack} program was expected to throw but loaded`);
}
