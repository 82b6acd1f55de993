/**
 * The setting the client suites share: a sandbox with a request log, a static index standing in
 * for public PyPI (with look-alikes of private names), a key created by `keys create` as a process
 * with its printed configuration, a scratch directory, and mocha hooks that start, clear and stop
 * them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { WheelSpec } from "../../../publishing/wheelBuilder";
import { startSandbox, Sandbox } from "../../../sandbox";
import type { ServedRequest } from "../../../sandbox/cloudfront";
import { indexFixture } from "../../../fixtures/sandboxIndex";
import { createKeyWithCli, PrintedKey } from "./printedConfiguration";
import { startStaticIndex, StaticIndex } from "./staticIndex";

export interface ClientScenario {
  readonly sandbox: Sandbox;
  /** The stand-in for public PyPI. */
  readonly publicIndex: StaticIndex;
  /** A key of tenant `demo` and the configuration `keys create` printed for it. */
  readonly printed: PrintedKey;
  /** The sandbox's answers since the current test began (or `clearLogs`). */
  readonly served: readonly ServedRequest[];
  /** Empties both request logs (each test starts with empty ones). */
  clearLogs(): void;
  freshDir(name: string): string;
}

/** Whether a client asked `log`'s index for `project`'s page. */
export function askedFor(log: readonly { url: string }[], project: string): boolean {
  return log.some((r) => r.url === `/simple/${project}/`);
}

/** A `pyproject.toml` of a project (of no package itself) needing `dependencies`, then `rest`. */
export function pyprojectToml(name: string, dependencies: readonly string[], rest = ""): string {
  return [
    "[project]",
    `name = "${name}"`,
    'version = "0.1.0"',
    'requires-python = ">=3.11"',
    `dependencies = [${dependencies.map((d) => JSON.stringify(d)).join(", ")}]`,
    "",
    rest,
  ].join("\n");
}

class Scenario implements ClientScenario {
  sandbox!: Sandbox;
  publicIndex!: StaticIndex;
  printed!: PrintedKey;
  served: ServedRequest[] = [];
  work = "";

  freshDir(name: string): string {
    return fs.mkdtempSync(path.join(this.work, `${name}-`));
  }

  clearLogs(): void {
    this.served = [];
    this.publicIndex.clearLog();
  }
}

/** Registers the suite's hooks; the returned scenario is filled in by its `before`. */
export function useClientScenario(options: {
  readonly name: string;
  /** Published to tenant `demo` besides its demo project. @default none */
  readonly privateWheels?: readonly WheelSpec[];
  readonly publicWheels: readonly WheelSpec[];
}): ClientScenario {
  const scenario = new Scenario();

  before(async () => {
    scenario.work = fs.mkdtempSync(path.join(os.tmpdir(), `ppi-e2e-${options.name}-`));
    scenario.sandbox = await startSandbox({
      port: 0,
      quiet: true,
      onServed: (entry) => scenario.served.push(entry),
    });
    if (options.privateWheels) {
      const fixture = indexFixture(scenario.sandbox);
      try {
        await fixture.publishWheels("demo", options.privateWheels);
      } finally {
        fixture.destroy();
      }
    }
    scenario.publicIndex = await startStaticIndex(options.publicWheels);
    scenario.printed = await createKeyWithCli(scenario.sandbox, "demo");
  });

  beforeEach(() => scenario.clearLogs());

  after(async () => {
    await scenario.sandbox?.stop();
    await scenario.publicIndex?.stop();
    if (scenario.work) fs.rmSync(scenario.work, { recursive: true, force: true });
  });

  return scenario;
}
