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
} from "../edge/layout";
import { IndexLocation, isBranchChannel } from "./location";
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
import { CONFLICT, IndexStore, retryOnConflict } from "./store";

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

/**
 * Applies `mutate` to the current page (undefined when there is none); `mutate` returns the new
 * page, or undefined to leave it as it is. `beforeCreate` runs once before the page is first created.
 * Returns the page as it stands afterwards.
 */
async function updatePage<T>(
  store: IndexStore,
  location: IndexLocation,
  kind: PageKind<T>,
  mutate: (current: T | undefined) => Promise<T | undefined>,
  beforeCreate?: () => Promise<void>,
): Promise<T | undefined> {
  const branch = isBranchChannel(location);
  let created = false;
  const result = await retryOnConflict(kind.what, async () => {
    const current = await store.get(kind.jsonKey);
    const page = current ? kind.parse(current.body.toString("utf8"), kind.jsonKey) : undefined;
    const generation = current ? generationOf(current.metadata) : 0;
    const next = await mutate(page);
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

/**
 * Updates a project's page. A new project is added to the root page first, so a crash in between
 * leaves a root entry whose page is still missing (a 404, which clients treat as "not here"), and
 * the next publish of the project, finding no page, completes it.
 */
export function updateProject(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  mutate: (current: ProjectPage | undefined) => Promise<ProjectPage | undefined>,
): Promise<ProjectPage | undefined> {
  const addToRoot = async () => {
    await updateRoot(store, location, async (root) =>
      root?.projects.includes(project) ? undefined : { projects: [...(root?.projects ?? []), project] },
    );
  };
  return updatePage(store, location, projectKind(location, project), mutate, addToRoot);
}

/** Deletes both forms of a project's page (used by `reindex` for projects with no files left). */
export async function deleteProjectPages(store: IndexStore, location: IndexLocation, project: string) {
  await store.delete(projectPageKey(location.tenant, location.channel, project, "json"));
  await store.delete(projectPageKey(location.tenant, location.channel, project, "html"));
}
