/**
 * Errors of the command line itself (usage, target, output), reported to the operator as one line:
 * what is wrong and how to fix it. The publishing core's `PublishingError` is shown the same way;
 * anything else that reaches the top level is explained by `explainError` in `cli/run.ts`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2 for a command-line usage mistake, 1 for everything else. */
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}
