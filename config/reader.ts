/**
 * A small typed reader over flat Pulumi config keys. It collects every problem instead of
 * stopping at the first, so one `pulumi up` reports all invalid keys at once, and it records
 * every key it reads (with type and default) so a test can prove Pulumi.yaml declares the same
 * keys with the same defaults: under mocks nothing merges Pulumi.yaml, so the defaults here are
 * the ones that count.
 */
import { PROJECT_NAME } from "../domain/project";

/** Where raw values come from: `pulumi.Config#get` in the program, a plain map in tests. */
export type ConfigSource = (key: string) => string | undefined;

export type ConfigValueType = "string" | "integer" | "boolean" | "array";

/** What the reader learned about one key; compared with Pulumi.yaml by the config tests. */
export interface ConfigKeyUse {
  readonly key: string;
  readonly type: ConfigValueType;
  readonly default?: string | number | boolean | readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

interface StringRule {
  readonly pattern?: RegExp;
  /** Human wording of what `pattern` allows, used in the error. */
  readonly allowed?: string;
  readonly oneOf?: readonly string[];
}

interface IntegerRule {
  readonly min: number;
  readonly max: number;
}

export class ConfigReader {
  private readonly problems: string[] = [];
  private readonly uses = new Map<string, ConfigKeyUse>();

  constructor(
    private readonly source: ConfigSource,
    private readonly project = PROJECT_NAME,
  ) {}

  /** Keys read so far, for the Pulumi.yaml consistency test. */
  get keysRead(): readonly ConfigKeyUse[] {
    return [...this.uses.values()];
  }

  /** Adds a problem found by a cross-key rule. */
  fail(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws one ConfigError naming every problem found, if any. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  requireString(key: string, rule: StringRule = {}): string {
    this.record({ key, type: "string" });
    const raw = this.raw(key);
    if (raw === undefined || raw === "") {
      this.problems.push(`${this.name(key)} is required but not set. ${describeRule(rule)}`.trim());
      return "";
    }
    return this.checkString(key, raw, rule);
  }

  optionalString(key: string, rule: StringRule = {}): string | undefined {
    this.record({ key, type: "string" });
    const raw = this.raw(key);
    return raw === undefined || raw === "" ? undefined : this.checkString(key, raw, rule);
  }

  string(key: string, defaultValue: string, rule: StringRule = {}): string {
    this.record({ key, type: "string", default: defaultValue });
    const raw = this.raw(key);
    return raw === undefined || raw === "" ? defaultValue : this.checkString(key, raw, rule);
  }

  integer(key: string, defaultValue: number, rule: IntegerRule): number {
    this.record({ key, type: "integer", default: defaultValue });
    const raw = this.raw(key);
    if (raw === undefined || raw === "") return defaultValue;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
      this.problems.push(
        `${this.name(key)} is ${JSON.stringify(raw)}; expected a whole number from ${rule.min} to ${rule.max}.`,
      );
      return defaultValue;
    }
    return value;
  }

  boolean(key: string, defaultValue: boolean): boolean {
    this.record({ key, type: "boolean", default: defaultValue });
    const raw = this.raw(key);
    if (raw === undefined || raw === "") return defaultValue;
    if (raw === "true") return true;
    if (raw === "false") return false;
    this.problems.push(`${this.name(key)} is ${JSON.stringify(raw)}; expected true or false.`);
    return defaultValue;
  }

  /** A list of strings, given in YAML as a sequence (Pulumi passes it as JSON text). */
  stringList(key: string, rule: StringRule = {}): string[] {
    this.record({ key, type: "array", default: [] });
    const raw = this.raw(key);
    if (raw === undefined || raw === "") return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
      this.problems.push(`${this.name(key)} is ${JSON.stringify(raw)}; expected a YAML list of strings.`);
      return [];
    }
    const items = parsed as string[];
    items.forEach((item, i) => this.checkString(`${key}[${i}]`, item, rule));
    if (new Set(items).size !== items.length) {
      this.problems.push(`${this.name(key)} lists ${JSON.stringify(raw)}; remove the duplicate entries.`);
    }
    return items;
  }

  private checkString(key: string, raw: string, rule: StringRule): string {
    const badPattern = rule.pattern !== undefined && !rule.pattern.test(raw);
    const badChoice = rule.oneOf !== undefined && !rule.oneOf.includes(raw);
    if (badPattern || badChoice) {
      this.problems.push(`${this.name(key)} is ${JSON.stringify(raw)}; ${describeRule(rule)}`);
    }
    return raw;
  }

  private raw(key: string): string | undefined {
    return this.source(key);
  }

  private name(key: string): string {
    return `${this.project}:${key}`;
  }

  private record(use: ConfigKeyUse): void {
    this.uses.set(use.key, use);
  }
}

function describeRule(rule: StringRule): string {
  if (rule.oneOf) return `expected one of ${rule.oneOf.map((v) => JSON.stringify(v)).join(", ")}.`;
  if (rule.allowed) return `expected ${rule.allowed}.`;
  return "";
}
