/**
 * `publish`: validate every file before writing anything, upload each immutably, then update each
 * project's pages once with compare-and-swap, starting from the page read before the uploads (a
 * conflict re-reads it). A file name that was removed (a tombstone on the project's page) is
 * refused before any upload, and so is every new file name of a project whose status (PEP 792)
 * refuses uploads (archived, quarantined) when the publish reads its page; a file already there
 * (on the page, or stored by a crashed publish) with the same bytes is `unchanged` whatever the
 * status, and nothing is written for it unless it was stored but not listed (then it goes on the
 * page), so `twine upload` and `uv publish` re-runs succeed. A status set after that read does not
 * undo the publish: its files go on the page, which keeps the status.
 *
 * Healing: a publish that creates a project's page, and every HEAL_EVERY_GENERATIONS-th update of
 * it, also lists the project's stored files and adds any the page does not show (what a crashed
 * publish leaves behind) and drops entries whose files are gone. The others do not list: a
 * re-run of the crashed publish heals its own files at once (they are "unchanged" and go on the
 * page), and `reindex` heals everything.
 */
import { refusesUploads } from "../domain/projectStatus";
import { Distribution, inspectDistribution } from "./distribution";
import { PublishingError, PublishingErrorKind } from "./errors";
import { IndexLocation } from "./indexLocation";
import { PageState, readProjectState, updateProject } from "./pageWriter";
import { FileEntry, ProjectPage, ProjectStatus, removedNames } from "./pages";
import { MAIN_CHANNEL } from "../domain/names";
import { IndexStore } from "./indexStore";
import { describeStoredFiles, findUnchanged, listStoredFiles, uploadDistribution } from "./storedFiles";

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
  /** Why a refused file was refused. */
  readonly refusal?: PublishingErrorKind;
}

export interface PublishOptions {
  readonly now?: () => Date;
  /** Called after each file is done (progress reporting). */
  readonly onResult?: (result: PublishResult) => void;
  /** Called for stored files a publish could not add to the page (e.g. foreign, invalid names). */
  readonly onWarning?: (message: string) => void;
}

/** Thrown when some files were refused; `results` says what happened to every file. */
export class PublishError extends PublishingError {
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
    if (seen.has(filename)) throw new PublishingError(`${filename} is given twice; name each file once`);
    seen.add(filename);
    return inspectDistribution(filename, bytes);
  });
}

/** A publish lists the stored files when its page update makes a generation divisible by this. */
export const HEAL_EVERY_GENERATIONS = 8;

/** How old a page entry must be before a listing without its file counts as proof the file is gone. */
const GONE_AFTER_MS = 60 * 60 * 1000;

export function removedMessage(filename: string, location: IndexLocation): string {
  return (
    `${filename} was published and removed in ${location.tenant}/${location.channel}; ` +
    `a file name can never be reused: publish a new version`
  );
}

/** Why a project whose status refuses uploads took no file, and how to reopen it. */
export function closedProjectMessage(
  project: string,
  status: ProjectStatus,
  location: IndexLocation,
): string {
  const reason = status.reason === undefined ? "" : ` (${status.reason})`;
  const channel = location.channel === MAIN_CHANNEL ? "" : ` --channel ${location.channel}`;
  return (
    `${project} is ${status.status}${reason} in ${location.tenant}/${location.channel}, and an ${status.status} ` +
    `project accepts no new files (PEP 792); \`status set --tenant ${location.tenant}${channel} ${project} active\` reopens it`
  );
}

/**
 * Adds `entries` (and, when it heals, any residue) to the project's page as read in `from`;
 * existing entries are kept as they are, tombstoned names are never added. Returns the names of
 * `entries` a concurrent `remove` tombstoned meanwhile (left off the page).
 */
async function addToProjectPage(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  entries: readonly FileEntry[],
  from: PageState<ProjectPage>,
  now: () => Date,
  onWarning: (message: string) => void,
): Promise<Set<string>> {
  const listedAt = now().getTime();
  const heals = from.page === undefined || (from.generation + 1) % HEAL_EVERY_GENERATIONS === 0;
  const stored = heals ? await listStoredFiles(store, location, project) : [];
  const storedNames = new Set(stored.map((f) => f.filename));
  // An entry uploaded well before the listing whose file it does not show was deleted behind the
  // page's back (a branch channel's lifecycle expiry, or by hand): drop it. Younger entries may
  // belong to a publish that uploaded after the listing, so they stay.
  const isGone = (f: FileEntry) =>
    heals && !storedNames.has(f.filename) && Date.parse(f.uploadTime) < listedAt - GONE_AFTER_MS;
  const cache = new Map<string, FileEntry>();
  let tombstoned = new Set<string>();
  await updateProject(
    store,
    location,
    project,
    async (page: ProjectPage | undefined) => {
      const removed = removedNames(page);
      const listed = new Set(page?.files.map((f) => f.filename));
      tombstoned = new Set(entries.filter((e) => removed.has(e.filename)).map((e) => e.filename));
      const mine = entries.filter((e) => !listed.has(e.filename) && !removed.has(e.filename));
      const isKnown = (name: string) =>
        listed.has(name) || removed.has(name) || entries.some((e) => e.filename === name);
      const unlisted = stored.filter((file) => !isKnown(file.filename));
      const residue = await describeStoredFiles(store, location, project, unlisted, onWarning, cache);
      const gone = page?.files.filter(isGone) ?? [];
      if (page && mine.length === 0 && residue.length === 0 && gone.length === 0) return undefined;
      const kept = page?.files.filter((f) => !gone.includes(f)) ?? [];
      return { project, files: [...kept, ...mine, ...residue] };
    },
    from,
  );
  return tombstoned;
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
    const page = await readProjectState(store, location, project);
    const removed = removedNames(page.page);
    const status = page.page?.status;
    const closed = status && refusesUploads(status.status) ? status : undefined;
    const projectResults: PublishResult[] = [];
    for (const [i, dist] of dists.entries()) {
      if (dist.project !== project) continue;
      let result: PublishResult;
      try {
        const listed = page.page?.files.find((f) => f.filename === dist.filename);
        // A closed project writes nothing: only a file already there (the same bytes) passes.
        const found = closed ? await findUnchanged(store, location, dist, listed) : undefined;
        if (closed && !found) throw new PublishingError(closedProjectMessage(project, closed, location));
        if (removed.has(dist.filename))
          throw new PublishingError(removedMessage(dist.filename, location), "removed");
        const outcome = found ?? (await uploadDistribution(store, location, dist, files[i].bytes, now()));
        // A closed project's page changes only to list a stored file it did not show.
        if (!(found && listed)) entries.push(outcome.entry);
        result = { filename: dist.filename, project, version: dist.version, status: outcome.status };
      } catch (err) {
        if (!(err instanceof PublishingError)) throw err;
        result = {
          filename: dist.filename,
          project,
          version: dist.version,
          status: "refused",
          reason: err.message,
          refusal: err.kind,
        };
      }
      projectResults.push(result);
    }
    const lost = entries.length
      ? await addToProjectPage(store, location, project, entries, page, now, onWarning)
      : new Set();
    for (const result of projectResults) {
      const final: PublishResult = lost.has(result.filename)
        ? {
            ...result,
            status: "refused",
            reason: removedMessage(result.filename, location),
            refusal: "removed",
          }
        : result;
      results.push(final);
      options.onResult?.(final);
    }
  }
  if (results.some((r) => r.status === "refused")) throw new PublishError(results);
  return results;
}
