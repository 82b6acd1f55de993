/**
 * `publish`: validate every file before writing anything, upload each immutably, then update each
 * project's pages once with compare-and-swap. A publish also lists the project's stored files and
 * adds any the page does not show (what a crashed publish leaves behind), so the next publish heals.
 */
import { Distribution, inspectDistribution } from "./distribution";
import { CliError } from "./errors";
import { IndexLocation } from "./location";
import { updateProject } from "./pageWriter";
import { FileEntry, ProjectPage } from "./pages";
import { IndexStore } from "./store";
import { describeStoredFiles, listStoredFiles, uploadDistribution } from "./storedFiles";

export interface PublishInput {
  readonly filename: string;
  readonly bytes: Uint8Array;
}

export interface PublishResult {
  readonly filename: string;
  readonly project: string;
  readonly version: string;
  /** `published`: new; `unchanged`: the same bytes were already there; `refused`: see `reason`. */
  readonly status: "published" | "unchanged" | "refused";
  readonly reason?: string;
}

export interface PublishOptions {
  readonly now?: () => Date;
  /** Called after each file is done (progress reporting). */
  readonly onResult?: (result: PublishResult) => void;
  /** Called for stored files a publish could not add to the page (e.g. foreign, invalid names). */
  readonly onWarning?: (message: string) => void;
}

/** Thrown when some files were refused; `results` says what happened to every file. */
export class PublishError extends CliError {
  constructor(readonly results: readonly PublishResult[]) {
    const refused = results.filter((r) => r.status === "refused");
    super(refused.map((r) => r.reason).join("; "));
    this.name = "PublishError";
  }
}

/** Inspects every file; throws on the first invalid one, before anything is written. */
export function validateFiles(files: readonly PublishInput[]): Distribution[] {
  const seen = new Set<string>();
  return files.map(({ filename, bytes }) => {
    if (seen.has(filename)) throw new CliError(`${filename} is given twice; name each file once`);
    seen.add(filename);
    return inspectDistribution(filename, bytes);
  });
}

/** Adds `entries` (and any residue) to the project's page; existing entries are kept as they are. */
async function addToProjectPage(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  entries: readonly FileEntry[],
  onWarning: (message: string) => void,
): Promise<void> {
  const stored = await listStoredFiles(store, location, project);
  const cache = new Map<string, FileEntry>();
  await updateProject(store, location, project, async (page: ProjectPage | undefined) => {
    const listed = new Set(page?.files.map((f) => f.filename));
    const mine = entries.filter((e) => !listed.has(e.filename));
    const isKnown = (name: string) => listed.has(name) || entries.some((e) => e.filename === name);
    const unlisted = stored.filter((file) => !isKnown(file.filename));
    const residue = await describeStoredFiles(store, location, project, unlisted, onWarning, cache);
    if (page && mine.length === 0 && residue.length === 0) return undefined;
    return { project, files: [...(page?.files ?? []), ...mine, ...residue] };
  });
}

/**
 * Publishes wheels and sdists into one tenant's channel. Throws before writing anything if any
 * file is invalid; throws PublishError after the others are done if a file was refused.
 */
export async function publish(
  store: IndexStore,
  location: IndexLocation,
  files: readonly PublishInput[],
  options: PublishOptions = {},
): Promise<PublishResult[]> {
  const dists = validateFiles(files);
  const now = options.now ?? (() => new Date());
  const onWarning = options.onWarning ?? (() => undefined);
  const results: PublishResult[] = [];
  const projects = [...new Set(dists.map((d) => d.project))];
  for (const project of projects) {
    const entries: FileEntry[] = [];
    for (const [i, dist] of dists.entries()) {
      if (dist.project !== project) continue;
      let result: PublishResult;
      try {
        const outcome = await uploadDistribution(store, location, dist, files[i].bytes, now());
        entries.push(outcome.entry);
        result = { filename: dist.filename, project, version: dist.version, status: outcome.status };
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        result = {
          filename: dist.filename,
          project,
          version: dist.version,
          status: "refused",
          reason: err.message,
        };
      }
      results.push(result);
      options.onResult?.(result);
    }
    if (entries.length > 0) await addToProjectPage(store, location, project, entries, onWarning);
  }
  if (results.some((r) => r.status === "refused")) throw new PublishError(results);
  return results;
}
