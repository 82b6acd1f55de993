/**
 * What `npm run generate:config` writes from a schema: the `config:` block of a Pulumi.yaml and a
 * markdown table of every key. Pure text in, text out; the test regenerates both in memory and
 * compares them with the committed files.
 */
import { stringify } from "yaml";
import { ConfigKey, ConfigSchema } from "./keys";

/**
 * The `@default` of each component argument a key names in `defaultedBy`, e.g.
 * `{ "PackageIndex.pageCacheTtlSeconds": 60 }`: documented next to the key, never applied by config.
 */
export type ComponentDefaults = Readonly<Record<string, unknown>>;

/** Where a generated artefact says it comes from. */
export interface ArtefactSource {
  /** The schema module, e.g. `config/schema.ts`. */
  readonly schemaFile: string;
  /** The generated table, e.g. `docs/configuration-table.md` (Pulumi.yaml points at it). */
  readonly tableFile: string;
}

/**
 * How the Pulumi CLI should see a key, or undefined when Pulumi.yaml must not declare it: the CLI
 * refuses to run a stack that leaves a declared key without a default unset, so optional keys and
 * keys a component defaults stay out.
 */
function declaration(spec: ConfigKey): Record<string, unknown> | undefined {
  const bounds = boundsOf(spec);
  const description = bounds ? `${spec.description.replace(/\.$/, "")} (${bounds}).` : spec.description;
  if (spec.type === "array") return { type: "array", items: { type: "string" }, description, default: [] };
  if (spec.default !== undefined) return { type: spec.type, description, default: spec.default };
  if (spec.type === "string" && spec.required) return { type: spec.type, description };
  return undefined;
}

function boundsOf(spec: ConfigKey): string | undefined {
  if (spec.type === "integer") return `${spec.min}-${spec.max}`;
  if (spec.type === "string" && spec.oneOf) return spec.oneOf.join(", ");
  return undefined;
}

function sections(schema: ConfigSchema): Map<string, [string, ConfigKey][]> {
  const bySection = new Map<string, [string, ConfigKey][]>();
  for (const [key, spec] of Object.entries(schema))
    bySection.set(spec.section, [...(bySection.get(spec.section) ?? []), [key, spec]]);
  return bySection;
}

/** `current` (a Pulumi.yaml) with its top-level `config:` block, which must come last, regenerated. */
export function renderProjectFile(current: string, schema: ConfigSchema, source: ArtefactSource): string {
  const start = current.search(/^config:/m);
  if (start < 0 || /^\S/m.test(current.slice(start).split("\n").slice(1).join("\n")))
    throw new Error("Pulumi.yaml must end with its top-level config: block, which is generated.");
  const head = current.slice(0, start).replace(/(#[^\n]*\n)+$/, "");
  const lines = [
    `# Generated from ${source.schemaFile} by \`npm run generate:config\`: edit the schema, not this block.`,
    "# The Pulumi CLI requires every key declared here without a default; optional keys and keys",
    `# whose default is a component's are not declared (all keys: ${source.tableFile}).`,
    "config:",
  ];
  for (const [section, keys] of sections(schema)) {
    const declared = keys.flatMap(([key, spec]) => {
      const entry = declaration(spec);
      return entry ? [stringify({ [key]: entry }, { lineWidth: 0 })] : [];
    });
    if (declared.length === 0) continue;
    lines.push(`  # ---- ${section} ----`);
    for (const text of declared)
      lines.push(
        ...text
          .trimEnd()
          .split("\n")
          .map((line) => `  ${line}`),
      );
  }
  return `${head}${lines.join("\n")}\n`;
}

/** A markdown table per section: key, type, default, accepted values, description. */
export function renderConfigTable(
  project: string,
  schema: ConfigSchema,
  componentDefaults: ComponentDefaults,
  source: ArtefactSource,
): string {
  const out = [
    `<!-- Generated from ${source.schemaFile} by \`npm run generate:config\`; edit the schema, not this file. -->`,
    "",
    `Every key lives under the \`${project}:\` namespace (\`pulumi config set ${project}:<key> <value>\`).`,
    'A default "from `Component.arg`" is that component\'s own: the program passes nothing when the key is unset.',
  ];
  for (const [section, keys] of sections(schema)) {
    out.push(
      "",
      `### ${section}`,
      "",
      "| key | type | default | accepted | description |",
      "| - | - | - | - | - |",
    );
    for (const [key, spec] of keys) {
      const type = spec.type === "array" ? "list of strings" : spec.type;
      const cells = [
        `\`${key}\``,
        type,
        defaultCell(spec, componentDefaults),
        acceptedCell(spec),
        spec.description,
      ];
      out.push(`| ${cells.map(escapeCell).join(" | ")} |`);
    }
  }
  return `${out.join("\n")}\n`;
}

function code(value: unknown): string {
  return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

function defaultCell(spec: ConfigKey, componentDefaults: ComponentDefaults): string {
  if (spec.defaultedBy !== undefined) {
    if (!(spec.defaultedBy in componentDefaults))
      throw new Error(`no component default is known for ${spec.defaultedBy}; export it from the component.`);
    return `${code(componentDefaults[spec.defaultedBy])} from \`${spec.defaultedBy}\``;
  }
  if (spec.type === "array") return code([]);
  if (spec.default !== undefined) return code(spec.default);
  return spec.type === "string" && spec.required ? "required" : "unset";
}

function acceptedCell(spec: ConfigKey): string {
  switch (spec.type) {
    case "integer":
      return `${spec.min} to ${spec.max}`;
    case "boolean":
      return "`true`, `false`";
    case "string":
      return spec.oneOf ? spec.oneOf.map(code).join(", ") : (spec.allowed ?? "any string");
    case "array":
      return spec.allowed ? `each: ${spec.allowed}` : "see description";
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
