/**
 * `npm run generate:config`: writes what the configuration schemas determine — the `config:` blocks
 * of Pulumi.yaml and deployments/Pulumi.yaml, and the key tables in docs/ — formatted as
 * `npm run lint` expects. test/config/generated.test.ts fails when a committed file is stale.
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { CODE_ARTIFACT_REPOSITORY_DEFAULTS } from "../components/codeArtifactRepository";
import { PACKAGE_INDEX_DEFAULTS } from "../components/packageIndex";
import { UPLOAD_FUNCTION_DEFAULTS } from "../components/uploadFunction";
import { ComponentDefaults, renderConfigTable, renderProjectFile } from "../config/artefacts";
import { ConfigSchema } from "../config/keys";
import { STACK_CONFIG } from "../config/schema";
import { PROJECT_NAME } from "../domain/project";
import { DELIVERY_CONFIG, DELIVERY_PROJECT } from "../deployments/configSchema";

const ROOT = path.resolve(__dirname, "..");

/** The `@default`s the schemas' `defaultedBy` entries name, as `Component.arg`. */
const COMPONENT_DEFAULTS: ComponentDefaults = Object.fromEntries(
  Object.entries({
    PackageIndex: PACKAGE_INDEX_DEFAULTS,
    UploadFunction: UPLOAD_FUNCTION_DEFAULTS,
    CodeArtifactRepository: CODE_ARTIFACT_REPOSITORY_DEFAULTS,
  }).flatMap(([component, defaults]) =>
    Object.entries(defaults).map(([arg, value]) => [`${component}.${arg}`, value]),
  ),
);

interface Project {
  readonly name: string;
  readonly schema: ConfigSchema;
  readonly schemaFile: string;
  readonly projectFile: string;
  readonly tableFile: string;
}

const PROJECTS: readonly Project[] = [
  {
    name: PROJECT_NAME,
    schema: STACK_CONFIG,
    schemaFile: "config/schema.ts",
    projectFile: "Pulumi.yaml",
    tableFile: "docs/configuration-table.md",
  },
  {
    name: DELIVERY_PROJECT,
    schema: DELIVERY_CONFIG,
    schemaFile: "deployments/configSchema.ts",
    projectFile: "deployments/Pulumi.yaml",
    tableFile: "docs/deployments-configuration-table.md",
  },
];

async function formatted(file: string, text: string): Promise<string> {
  const absolute = path.join(ROOT, file);
  const options = (await prettier.resolveConfig(absolute)) ?? {};
  return prettier.format(text, { ...options, filepath: absolute });
}

/** Every generated file (path relative to the repository root) with the text it must have. */
export async function generatedFiles(): Promise<{ file: string; text: string }[]> {
  const files: { file: string; text: string }[] = [];
  for (const project of PROJECTS) {
    const source = { schemaFile: project.schemaFile, tableFile: project.tableFile };
    const current = fs.readFileSync(path.join(ROOT, project.projectFile), "utf8");
    files.push({
      file: project.projectFile,
      text: await formatted(project.projectFile, renderProjectFile(current, project.schema, source)),
    });
    files.push({
      file: project.tableFile,
      text: await formatted(
        project.tableFile,
        renderConfigTable(project.name, project.schema, COMPONENT_DEFAULTS, source),
      ),
    });
  }
  return files;
}

async function main(): Promise<void> {
  for (const { file, text } of await generatedFiles()) {
    const absolute = path.join(ROOT, file);
    const before = fs.existsSync(absolute) ? fs.readFileSync(absolute, "utf8") : undefined;
    if (before === text) continue;
    fs.writeFileSync(absolute, text);
    console.log(`wrote ${file}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
