/**
 * Compare-and-swap updates of the index pages. The JSON page is the authoritative state: read it,
 * change it, write it back with `If-Match` (or `If-None-Match: *` when new), retry on conflict.
 * Each JSON write bumps a generation number kept in the object's user metadata; the HTML page is
 * then brought up to that generation under its own compare-and-swap and is never replaced by an
 * older generation, so concurrent writers cannot leave the HTML behind the JSON.
 *
 * The HTML names its generation, so its bytes differ per generation, and the bucket encrypts with
 * SSE-S3, so a page's ETag is the MD5 of its bytes: a writer that just moved the JSON from
 * generation g to g+1 predicts the ETag of the HTML at g and replaces it with `If-Match` in one
 * request. Only when that fails (the HTML is not at g: a crashed or concurrent writer, a page from
 * before generations were in the HTML) does it read the HTML's head and compare generations.
 */
import * as crypto from "crypto";
import {
  HTML_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  PAGE_CACHE_CONTROL,
  projectPageKey,
  rootPageKey,
} from "../domain/storageLayout";
import { IndexLocation, isBranchChannel } from "./indexLocation";
import {
  GENERATION_NAME,
  ProjectPage,
  RootPage,
  parseProjectJson,
  parseRootJson,
  renderProjectHtml,
  renderProjectJson,
  renderRootHtml,
  renderRootJson,
} from "./pages";
import { CONFLICT, Conflict, IndexStore, retryOnConflict } from "./indexStore";

interface PageKind<T> {
  readonly what: string;
  readonly jsonKey: string;
  readonly htmlKey: string;
  parse(text: string, source: string): T;
  json(page: T): string;
  html(page: T, generation: number): string;
}

/** A JSON page as read: where a compare-and-swap update of it starts. */
export interface PageState<T> {
  /** undefined when there is no page. */
  readonly page: T | undefined;
  /** The JSON object's ETag (undefined when there is no page). */
  readonly etag: string | undefined;
  /** 0 when there is no page. */
  readonly generation: number;
}

async function readState<T>(store: IndexStore, kind: PageKind<T>): Promise<PageState<T>> {
  const current = await store.get(kind.jsonKey);
  if (!current) return { page: undefined, etag: undefined, generation: 0 };
  return {
    page: kind.parse(current.body.toString("utf8"), kind.jsonKey),
    etag: current.etag,
    generation: generationOf(current.metadata),
  };
}

/** The ETag S3 gives `html` written in one PUT to an SSE-S3 bucket (quoted, as S3 returns it). */
function predictedEtag(html: string): string {
  return `"${crypto.createHash("md5").update(html).digest("hex")}"`;
}

function generationOf(metadata: Readonly<Record<string, string>>): number {
  const value = Number(metadata[GENERATION_NAME]);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function pageOptions(contentType: string, generation: number, branch: boolean) {
  return {
    contentType,
    cacheControl: PAGE_CACHE_CONTROL,
    metadata: { [GENERATION_NAME]: String(generation) },
    branch,
  };
}

/** What the HTML page should be when the JSON page was just moved to a new generation. */
interface HtmlGuess {
  /** The HTML of the generation before, undefined when there was no page (nor HTML). */
  readonly previous: string | undefined;
}

/**
 * Brings the HTML page up to `generation` unless a writer of the same or a newer one got there
 * first. With a `guess`, first one PUT conditional on the HTML being exactly the guessed previous
 * one (or absent); if it is not, the general way: read its head, compare generations.
 */
async function syncHtml(
  store: IndexStore,
  key: string,
  html: string,
  generation: number,
  branch: boolean,
  guess: HtmlGuess | undefined,
) {
  const options = pageOptions(HTML_CONTENT_TYPE, generation, branch);
  if (guess) {
    const expected = guess.previous === undefined ? undefined : predictedEtag(guess.previous);
    if ((await store.put(key, html, options, expected)) !== CONFLICT) return;
  }
  await retryOnConflict(key, async () => {
    const head = await store.head(key);
    if (head && generationOf(head.metadata) >= generation) return true;
    const put = await store.put(key, html, options, head?.etag);
    return put === CONFLICT ? CONFLICT : true;
  });
}

/** What a `mutate` returns to delete the page (both forms) instead of writing it. */
export const DELETE_PAGE = Symbol("delete page");

/**
 * Deletes the HTML page unless a newer generation than the JSON's was written, then the JSON page
 * with `If-Match`: a concurrent writer makes either delete fail, and the caller retries. A writer
 * racing the HTML delete recreates the HTML (it finds it missing).
 */
async function deletePage(
  store: IndexStore,
  kind: PageKind<unknown>,
  json: { etag: string; generation: number },
): Promise<true | Conflict> {
  const html = await store.head(kind.htmlKey);
  if (html) {
    if (generationOf(html.metadata) > json.generation) return CONFLICT;
    if ((await store.deleteIfMatch(kind.htmlKey, html.etag)) === CONFLICT) return CONFLICT;
  }
  return store.deleteIfMatch(kind.jsonKey, json.etag);
}

/**
 * Applies `mutate` to the current page (undefined when there is none); `mutate` returns the new
 * page, undefined to leave it as it is, or DELETE_PAGE. `beforeCreate` runs once before the page
 * is first created. `from`, when given, is the page as the caller just read it: the first attempt
 * starts there instead of reading it again (a conflict proves it old, and the retry reads).
 * Returns the page as it stands afterwards.
 */
async function updatePage<T>(
  store: IndexStore,
  location: IndexLocation,
  kind: PageKind<T>,
  mutate: (current: T | undefined) => Promise<T | undefined | typeof DELETE_PAGE>,
  beforeCreate?: () => Promise<void>,
  from?: PageState<T>,
): Promise<T | undefined> {
  const branch = isBranchChannel(location);
  let created = false;
  let known = from;
  const result = await retryOnConflict(kind.what, async () => {
    const current = known ?? (await readState(store, kind));
    known = undefined;
    const { page, etag, generation } = current;
    const next = await mutate(page);
    if (next === DELETE_PAGE) {
      if (etag === undefined) return { page: undefined, generation, guess: undefined };
      const deleted = await deletePage(store, kind as PageKind<unknown>, { etag, generation });
      return deleted === CONFLICT ? CONFLICT : { page: undefined, generation, guess: undefined };
    }
    if (next === undefined) return { page, generation, guess: undefined };
    if (etag === undefined && !created && beforeCreate) await beforeCreate();
    created = true;
    const options = pageOptions(JSON_CONTENT_TYPE, generation + 1, branch);
    const put = await store.put(kind.jsonKey, kind.json(next), options, etag);
    if (put === CONFLICT) return CONFLICT;
    const guess: HtmlGuess = { previous: page === undefined ? undefined : kind.html(page, generation) };
    return { page: next, generation: generation + 1, guess };
  });
  if (result.page !== undefined) {
    const html = kind.html(result.page, result.generation);
    await syncHtml(store, kind.htmlKey, html, result.generation, branch, result.guess);
  }
  return result.page;
}

function rootKind(location: IndexLocation): PageKind<RootPage> {
  return {
    what: `the root page of ${location.tenant}/${location.channel}`,
    jsonKey: rootPageKey(location.tenant, location.channel, "json"),
    htmlKey: rootPageKey(location.tenant, location.channel, "html"),
    parse: parseRootJson,
    json: renderRootJson,
    html: renderRootHtml,
  };
}

function projectKind(location: IndexLocation, project: string): PageKind<ProjectPage> {
  return {
    what: `the page of ${project} in ${location.tenant}/${location.channel}`,
    jsonKey: projectPageKey(location.tenant, location.channel, project, "json"),
    htmlKey: projectPageKey(location.tenant, location.channel, project, "html"),
    parse: parseProjectJson,
    json: renderProjectJson,
    html: renderProjectHtml,
  };
}

export async function readRoot(store: IndexStore, location: IndexLocation): Promise<RootPage | undefined> {
  const kind = rootKind(location);
  const current = await store.get(kind.jsonKey);
  return current ? kind.parse(current.body.toString("utf8"), kind.jsonKey) : undefined;
}

export async function readProject(
  store: IndexStore,
  location: IndexLocation,
  project: string,
): Promise<ProjectPage | undefined> {
  return (await readProjectState(store, location, project)).page;
}

/** A project's page with what `updateProject` needs to start from it without reading it again. */
export function readProjectState(
  store: IndexStore,
  location: IndexLocation,
  project: string,
): Promise<PageState<ProjectPage>> {
  return readState(store, projectKind(location, project));
}

export function updateRoot(
  store: IndexStore,
  location: IndexLocation,
  mutate: (current: RootPage | undefined) => Promise<RootPage | undefined>,
): Promise<RootPage | undefined> {
  return updatePage(store, location, rootKind(location), mutate);
}

/**
 * What every write carries over from the current page: the tombstones of both pages, each name
 * once, and the status unless `next` sets one, so no writer (publish, healing, reindex, yank) can
 * drop either.
 */
function carryOver(current: ProjectPage | undefined, next: ProjectPage): ProjectPage {
  const removed = new Map([...(current?.removed ?? []), ...(next.removed ?? [])].map((r) => [r.filename, r]));
  const status = next.status ?? current?.status;
  return {
    ...next,
    ...(removed.size ? { removed: [...removed.values()] } : {}),
    ...(status ? { status } : {}),
  };
}

/**
 * Updates a project's page. A new project is added to the root page first, so a crash in between
 * leaves a root entry whose page is still missing (a 404, which clients treat as "not here"), and
 * the next publish of the project, finding no page, completes it. Tombstones (`removed`) and the
 * status of the current page are always carried over; DELETE_PAGE is honoured only for a page
 * with neither (otherwise the page is kept, with no files).
 * `from`: the page as just read with `readProjectState` (saves reading it again).
 */
export function updateProject(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  mutate: (current: ProjectPage | undefined) => Promise<ProjectPage | undefined | typeof DELETE_PAGE>,
  from?: PageState<ProjectPage>,
): Promise<ProjectPage | undefined> {
  const addToRoot = async () => {
    await updateRoot(store, location, async (root) =>
      root?.projects.includes(project) ? undefined : { projects: [...(root?.projects ?? []), project] },
    );
  };
  const guarded = async (current: ProjectPage | undefined) => {
    const next = await mutate(current);
    if (next === undefined) return undefined;
    if (next === DELETE_PAGE)
      return current?.removed?.length || current?.status
        ? carryOver(current, { project, files: [] })
        : DELETE_PAGE;
    return carryOver(current, next);
  };
  return updatePage(store, location, projectKind(location, project), guarded, addToRoot, from);
}

/** Whether the project's JSON page exists. */
export async function hasProjectPage(store: IndexStore, location: IndexLocation, project: string) {
  return (await store.head(projectKind(location, project).jsonKey)) !== undefined;
}
