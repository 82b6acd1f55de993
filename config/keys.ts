/**
 * How a configuration key is described: type, default, bounds, documentation. The schemas
 * (`config/schema.ts`, `deployments/configSchema.ts`) are plain objects of these; the reader, the
 * Pulumi.yaml block and the docs table all derive from them.
 */

export interface KeyBase {
  /** The heading the key is documented under. */
  readonly section: string;
  /** One sentence for Pulumi.yaml and the docs table; bounds and allowed values are added to it. */
  readonly description: string;
  /** `Component.arg` whose `@default` applies when the key is unset (the key then has no default). */
  readonly defaultedBy?: string;
}

export interface StringKey<T extends string = string> extends KeyBase {
  readonly type: "string";
  readonly default?: T;
  /** The stack must set it (Pulumi.yaml declares it without a default, so the CLI asks for it). */
  readonly required?: true;
  readonly oneOf?: readonly T[];
  readonly pattern?: RegExp;
  /** Human wording of what `pattern` allows, used in errors and docs. */
  readonly allowed?: string;
}

export interface IntegerKey extends KeyBase {
  readonly type: "integer";
  readonly default?: number;
  readonly min: number;
  readonly max: number;
}

export interface BooleanKey extends KeyBase {
  readonly type: "boolean";
  readonly default?: boolean;
}

/** A YAML list of strings; unset is the empty list. */
export interface StringListKey extends KeyBase {
  readonly type: "array";
  readonly pattern?: RegExp;
  readonly allowed?: string;
}

export type ConfigKey = StringKey | IntegerKey | BooleanKey | StringListKey;

type StringValue<K> = K extends { readonly oneOf: readonly (infer T extends string)[] } ? T : string;
type Presence<K, V> = K extends { readonly default: unknown } | { readonly required: true }
  ? V
  : V | undefined;

/** The value a key reads as: defaulted and required keys are always set, the others may be undefined. */
export type ConfigValue<K extends ConfigKey> = K extends StringListKey
  ? string[]
  : K extends StringKey
    ? Presence<K, StringValue<K>>
    : K extends IntegerKey
      ? Presence<K, number>
      : Presence<K, boolean>;

/** A project's keys by name, in documentation order. */
export type ConfigSchema = Readonly<Record<string, ConfigKey>>;
