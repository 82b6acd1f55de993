/**
 * Loads the repository's workflow and composite-action files for the delivery tests: every file
 * parsed with the `yaml` package (which also rejects duplicate keys), and the raw text kept for
 * checks that must see comments (action pins).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { minimatch } from "minimatch";
import { parse } from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = path.join(REPO_ROOT, ".github/workflows");
const ACTIONS = path.join(REPO_ROOT, ".github/actions");

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface YamlFile {
  readonly file: string;
  readonly text: string;
  readonly doc: any;
}

function load(file: string): YamlFile {
  const text = fs.readFileSync(file, "utf8");
  return { file: path.relative(REPO_ROOT, file), text, doc: parse(text, { uniqueKeys: true }) };
}

export function workflowFiles(): YamlFile[] {
  return fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => load(path.join(WORKFLOWS, f)));
}

export function workflow(name: string): any {
  return load(path.join(WORKFLOWS, name)).doc;
}

export function actionFiles(): YamlFile[] {
  return fs
    .readdirSync(ACTIONS)
    .map((dir) => path.join(ACTIONS, dir, "action.yml"))
    .filter((f) => fs.existsSync(f))
    .map(load);
}

/** Every step of a workflow (all jobs) or of a composite action. */
export function stepsOf(doc: any): any[] {
  if (doc.runs?.steps) return doc.runs.steps;
  return Object.values(doc.jobs ?? {}).flatMap((job: any) => job.steps ?? []);
}

/**
 * GitHub's branch/tag filter semantics: patterns are applied in order, a matching pattern
 * includes the ref and a matching `!pattern` excludes it again; `*` does not cross `/`.
 */
export function githubFilterAdmits(patterns: readonly string[], name: string): boolean {
  let admitted = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    if (minimatch(name, negated ? pattern.slice(1) : pattern, { nonegate: true })) admitted = !negated;
  }
  return admitted;
}
