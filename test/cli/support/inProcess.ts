/** Runs the CLI in this process (`runCli`) with `env` as its whole environment, capturing its output. */
import { runCli } from "../../../cli/run";
import { IndexStore } from "../../../publishing/indexStore";
import { MotoIndex, startMotoIndex } from "../../../fixtures/motoIndex";

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCliInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<CliOutcome> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env,
  });
  return { code, stdout, stderr };
}

/** A moto index with a fresh bucket, and the in-process CLI pointed at it (mocha hooks start and stop it). */
export interface CliOnMoto {
  readonly fixture: MotoIndex;
  readonly store: IndexStore;
  cli(args: string[]): Promise<CliOutcome>;
}

export function useCliOnMoto(): CliOnMoto {
  const state = {} as { fixture: MotoIndex; store: IndexStore; env: Record<string, string> };
  before(async () => {
    state.fixture = await startMotoIndex();
    state.store = await state.fixture.newStore();
    state.env = { ...state.fixture.moto.env, PACKAGE_INDEX_BUCKET: state.store.bucket, CI: "true" };
  });
  after(async () => state.fixture?.stop());
  return {
    get fixture() {
      return state.fixture;
    },
    get store() {
      return state.store;
    },
    cli: (args) => runCliInProcess(args, state.env),
  };
}
