/**
 * Compare-and-swap updates of the index pages. The JSON page is the authoritative state: read it,
 * change it, write it back with `If-Match` (or `If-None-Match: *` when new), retry on conflict.
 * Each JSON write bumps a generation number kept in the object's user metadata; the HTML page is
 * then brought up to that generation under its own compare-and-swap and is never replaced by an
 * older generation, so concurrent writers cannot leave the HTML behind the JSON.
 */
import {
  HTML_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  PAGE_CACHE_CONTROL,
  projectPageKey,
  rootPageKey,
} from "../domain/storageLayout";
import { IndexLocation, isBranchChannel } from "./indexLocation";
import {
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

const GENERATION = "ppi-generation";

interface PageKind<T> {
  readonly what: string;
  readonly jsonKey: string;
  readonly htmlKey: string;
  parse(text: string, source: string): T;
  json(page: T): string;
  html(page: T): string;
}

function generationOf(metadata: Readonly<Record<string, string>>): number {
  const value = Number(metadata[GENERATION]);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function pageOptions(contentType: string, generation: number, branch: boolean) {
  return {
    contentType,
    cacheControl: PAGE_CACHE_CONTROL,
    metadata: { [GENERATION]: String(generation) },
    branch,
  };
}

/** Brings the HTML page up to `generation` unless a writer of the same or a newer one got there first. */
async function syncHtml(store: IndexStore, key: string, html: string, generation: number, branch: boolean) {
  await retryOnConflict(key, async () => {
    const head = await store.head(key);
    if (head && generationOf(head.metadata) >= generation) return true;
    const put = await store.put(key, html, pageOptions(HTML_CONTENT_TYPE, generation, branch), head?.etag);
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
 * is first created. Returns the page as it stands afterwards.
 */
async function updatePage<T>(
  store: IndexStore,
  location: IndexLocation,
  kind: PageKind<T>,
  mutate: (current: T | undefined) => Promise<T | undefined | typeof DELETE_PAGE>,
  beforeCreate?: () => Promise<void>,
): Promise<T | undefined> {
  const branch = isBranchChannel(location);
  let created = false;
  const result = await retryOnConflict(kind.what, async () => {
    const current = await store.get(kind.jsonKey);
    const page = current ? kind.parse(current.body.toString("utf8"), kind.jsonKey) : undefined;
    const generation = current ? generationOf(current.metadata) : 0;
    const next = await mutate(page);
    if (next === DELETE_PAGE) {
      if (!current) return { page: undefined, generation };
      const deleted = await deletePage(store, kind as PageKind<unknown>, { etag: current.etag, generation });
      return deleted === CONFLICT ? CONFLICT : { page: undefined, generation };
    }
    if (next === undefined) return { page, generation };
    if (!current && !created && beforeCreate) await beforeCreate();
    created = true;
    const options = pageOptions(JSON_CONTENT_TYPE, generation + 1, branch);
    const put = await store.put(kind.jsonKey, kind.json(next), options, current?.etag);
    return put === CONFLICT ? CONFLICT : { page: next, generation: generation + 1 };
  });
  if (result.page !== undefined)
    await syncHtml(store, kind.htmlKey, kind.html(result.page), result.generation, branch);
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
  const kind = projectKind(location, project);
  const current = await store.get(kind.jsonKey);
  return current ? kind.parse(current.body.toString("utf8"), kind.jsonKey) : undefined;
}

export function updateRoot(
  store: IndexStore,
  location: IndexLocation,
  mutate: (current: RootPage | undefined) => Promise<RootPage | undefined>,
): Promise<RootPage | undefined> {
  return updatePage(store, location, rootKind(location), mutate);
}

/** The tombstones of both pages, each name once: a write can never drop one. */
function keepRemoved(current: ProjectPage | undefined, next: ProjectPage): ProjectPage {
  const removed = new Map([...(current?.removed ?? []), ...(next.removed ?? [])].map((r) => [r.filename, r]));
  return removed.size ? { ...next, removed: [...removed.values()] } : next;
}

/**
 * Updates a project's page. A new project is added to the root page first, so a crash in between
 * leaves a root entry whose page is still missing (a 404, which clients treat as "not here"), and
 * the next publish of the project, finding no page, completes it. Tombstones (`removed`) of the
 * current page are always carried over; DELETE_PAGE is honoured only for a page without any.
 */
export function updateProject(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  mutate: (current: ProjectPage | undefined) => Promise<ProjectPage | undefined | typeof DELETE_PAGE>,
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
      return current?.removed?.length ? keepRemoved(current, { project, files: [] }) : DELETE_PAGE;
    return keepRemoved(current, next);
  };
  return updatePage(store, location, projectKind(location, project), guarded, addToRoot);
}

/** Whether the project's JSON page exists. */
export async function hasProjectPage(store: IndexStore, location: IndexLocation, project: string) {
  return (await store.head(projectKind(location, project).jsonKey)) !== undefined;
}
