/**
 * A typed reader of flat Pulumi config keys, driven by a schema (`config/keys.ts`): each key's
 * type, default and bounds come from there. It collects every problem instead of stopping at the
 * first, so one `pulumi up` reports all invalid keys at once.
 */
import { ConfigKey, ConfigSchema, ConfigValue, StringKey, StringListKey } from "./keys";

/** Where raw values come from: `pulumi.Config#get` in the program, a plain map in tests. */
export type ConfigSource = (key: string) => string | undefined;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export class ConfigReader<S extends ConfigSchema> {
  private readonly problems: string[] = [];
  private readonly read = new Set<string>();

  constructor(
    private readonly source: ConfigSource,
    private readonly schema: S,
    private readonly project: string,
  ) {}

  /** Names of the keys read so far: a schema key no reader asks for is dead configuration. */
  get keysRead(): ReadonlySet<string> {
    return this.read;
  }

  /** `<project>:<key>`, as users write it in a stack file. */
  keyName(key: keyof S & string): string {
    return `${this.project}:${key}`;
  }

  /** Adds a problem found by a cross-key rule. */
  fail(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws one ConfigError naming every problem found, if any. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  /**
   * The key's value: the stack's, else the schema default, else undefined (or a problem, for a
   * required key). An invalid value is reported and read as its default.
   */
  get<K extends keyof S & string>(key: K): ConfigValue<S[K]> {
    this.read.add(key);
    const spec: ConfigKey = this.schema[key];
    const raw = this.source(key);
    const unset = raw === undefined || raw === "";
    if (spec.type === "array") return (unset ? [] : this.list(key, raw, spec)) as ConfigValue<S[K]>;
    if (unset) {
      if (spec.type === "string" && spec.required)
        this.fail(`${this.keyName(key)} is required but not set. ${describe(spec)}`.trim());
      return spec.default as ConfigValue<S[K]>;
    }
    return this.parse(key, raw, spec) as ConfigValue<S[K]>;
  }

  private parse(key: string, raw: string, spec: Exclude<ConfigKey, StringListKey>): unknown {
    const name = `${this.project}:${key}`;
    switch (spec.type) {
      case "string":
        this.checkString(name, raw, spec);
        return raw;
      case "boolean":
        if (raw === "true" || raw === "false") return raw === "true";
        this.fail(`${name} is ${JSON.stringify(raw)}; expected true or false.`);
        return spec.default;
      case "integer": {
        const value = Number(raw);
        if (
          /^-?\d+$/.test(raw.trim()) &&
          Number.isSafeInteger(value) &&
          value >= spec.min &&
          value <= spec.max
        )
          return value;
        this.fail(
          `${name} is ${JSON.stringify(raw)}; expected a whole number from ${spec.min} to ${spec.max}.`,
        );
        return spec.default;
      }
    }
  }

  /** A list of strings, given in YAML as a sequence (Pulumi passes it as JSON text). */
  private list(key: string, raw: string, spec: StringListKey): string[] {
    const name = `${this.project}:${key}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
      this.fail(`${name} is ${JSON.stringify(raw)}; expected a YAML list of strings.`);
      return [];
    }
    const items = parsed as string[];
    items.forEach((item, i) => this.checkString(`${name}[${i}]`, item, spec));
    if (new Set(items).size !== items.length)
      this.fail(`${name} lists ${JSON.stringify(raw)}; remove the duplicate entries.`);
    return items;
  }

  private checkString(name: string, raw: string, spec: StringKey | StringListKey): void {
    const oneOf = spec.type === "string" ? spec.oneOf : undefined;
    const badPattern = spec.pattern !== undefined && !spec.pattern.test(raw);
    const badChoice = oneOf !== undefined && !oneOf.includes(raw);
    if (badPattern || badChoice) this.fail(`${name} is ${JSON.stringify(raw)}; ${describe(spec)}`);
  }
}

/** What a key accepts, as the end of an error sentence. */
function describe(spec: StringKey | StringListKey): string {
  if (spec.type === "string" && spec.oneOf)
    return `expected one of ${spec.oneOf.map((v) => JSON.stringify(v)).join(", ")}.`;
  if (spec.allowed) return `expected ${spec.allowed}.`;
  return "";
}
