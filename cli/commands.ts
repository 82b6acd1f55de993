/**
 * The commands: their options, help and what they print. Each turns parsed arguments into a call
 * of the library functions, and prints a human summary or (with --json) one JSON document.
 */
import * as fs from "fs";
import * as path from "path";
import { clientConfiguration } from "./clientConfig";
import { check } from "./check";
import { CliError, UsageError } from "./errors";
// The publishing modules and the AWS SDK load when a command runs, not for `--help` (start-up time).
import type { CreatedKey, KeySummary } from "../publishing/customerKeys";
import { indexLocation } from "../publishing/indexLocation";
import type { ProjectPage, ProjectStatus } from "../publishing/pages";
import { createProgress } from "./progress";
import { RESERVED_NAMES_CACHE_SECONDS } from "../domain/reservedNames";
import { PAGE_CACHE_CONTROL } from "../domain/storageLayout";
import { normalizeProjectName } from "../domain/names";
import type { PublishResult } from "../publishing/publish";
import type { IndexStore } from "../publishing/indexStore";
import { MINTED_KEY_LIFETIME_SECONDS, TrustedPublisher } from "../domain/trustedPublishers";
import { Target, dynamoClient, ensureCredentials, requireTable, s3Client } from "./target";

export interface CommandContext {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
  readonly target: Target;
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  /** Prints `human` normally, or `data` as JSON with --json. */
  print(human: string, data: unknown): void;
}

export interface Command {
  readonly usage: string;
  readonly summary: string;
  /** Extra options beyond the common ones (all strings unless listed in `flags`). */
  readonly options: readonly string[];
  readonly flags?: readonly string[];
  readonly positionals: readonly [min: number, max: number];
  run(ctx: CommandContext): Promise<void>;
}

function text(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.values[name];
  return typeof value === "string" ? value : undefined;
}

async function openStore(ctx: CommandContext): Promise<IndexStore> {
  const s3 = await s3Client(ctx.target);
  await ensureCredentials(s3);
  const { IndexStore } = await import("../publishing/indexStore");
  return new IndexStore(s3, ctx.target.bucket!);
}

async function openKeys(ctx: CommandContext) {
  const table = requireTable(ctx.target);
  const dynamodb = await dynamoClient(ctx.target);
  await ensureCredentials(dynamodb);
  return { dynamodb, table };
}

function location(ctx: CommandContext) {
  const tenant = text(ctx, "tenant");
  if (!tenant)
    throw new CliError("missing --tenant: name the tenant whose index to change (e.g. --tenant acme)");
  return indexLocation(tenant, text(ctx, "channel"));
}

/** The comma-separated list of an option (`--channels a,b`), without blanks. */
function list(ctx: CommandContext, name: string): string[] | undefined {
  return text(ctx, name)
    ?.split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function describeKey(key: KeySummary): string {
  const channels = key.channels ? `channels ${key.channels.join(",")}` : "all channels";
  const projects = key.projects ? `projects ${key.projects.join(",")}` : "all projects";
  const scope = `${key.scope}  ${channels}  ${projects}`;
  const expiry = key.expiresAt ? `expires ${key.expiresAt}` : "no expiry";
  const revoked = key.revokedAt ? ` revoked ${key.revokedAt}` : "";
  const description = key.description ? ` "${key.description}"` : "";
  return `${key.publicKey}  ${key.tenant}  ${key.status}  ${scope}  created ${key.createdAt}  ${expiry}${revoked}${description}`;
}

function printNewKey(ctx: CommandContext, key: CreatedKey, heading: string): void {
  const indexUrl = ctx.target.indexUrl;
  const lines = [
    heading,
    "The secret is shown only this once: store it now (e.g. in your CI secret store).",
    "",
    `  public key: ${key.publicKey}`,
    `  secret key: ${key.secretKey}`,
    "",
    indexUrl
      ? clientConfiguration(indexUrl, key)
      : "Pass --index-url (or --stack-outputs, or PACKAGE_INDEX_URL) to get ready-to-paste pip, uv and poetry configuration.",
  ];
  ctx.print(lines.join("\n"), key);
}

const keysCreate: Command = {
  usage:
    "keys create --tenant T [--scope read|publish] [--projects a,b] [--channels a,b] [--expires-in 90d] [--description D]",
  summary: "create a customer key; prints the secret once, with pip, uv and poetry configuration",
  options: ["tenant", "scope", "projects", "channels", "expires-in", "description"],
  positionals: [0, 0],
  async run(ctx) {
    const tenant = text(ctx, "tenant");
    if (!tenant) throw new UsageError("keys create needs --tenant T");
    const channels = list(ctx, "channels");
    const projects = list(ctx, "projects");
    if (projects?.length === 0) {
      throw new UsageError("--projects needs at least one project name, e.g. --projects demo,other-lib");
    }
    const { createKey } = await import("../publishing/customerKeys");
    const key = await createKey(await openKeys(ctx), {
      tenant,
      ...(channels ? { channels } : {}),
      ...(text(ctx, "scope") !== undefined ? { scope: text(ctx, "scope") } : {}),
      ...(projects ? { projects } : {}),
      ...(text(ctx, "expires-in") ? { expiresIn: text(ctx, "expires-in") } : {}),
      ...(text(ctx, "description") ? { description: text(ctx, "description") } : {}),
    });
    printNewKey(ctx, key, `Created key ${key.publicKey} for tenant ${key.tenant}.`);
  },
};

const keysList: Command = {
  usage: "keys list [--tenant T]",
  summary: "list keys (never a secret or hash)",
  options: ["tenant"],
  positionals: [0, 0],
  async run(ctx) {
    const tenant = text(ctx, "tenant");
    const { listKeys } = await import("../publishing/customerKeys");
    const keys = await listKeys(await openKeys(ctx), tenant ? { tenant } : {});
    ctx.print(keys.length ? keys.map(describeKey).join("\n") : "no keys", keys);
  },
};

const keysRevoke: Command = {
  usage: "keys revoke PUBLIC_KEY",
  summary: "revoke a key (edges stop accepting it within their key cache time, at most 60 s)",
  options: [],
  positionals: [1, 1],
  async run(ctx) {
    const { revokeKey } = await import("../publishing/customerKeys");
    const key = await revokeKey(await openKeys(ctx), ctx.positionals[0]);
    ctx.print(`Revoked ${key.publicKey} (tenant ${key.tenant}) at ${key.revokedAt}.`, key);
  },
};

const keysRotate: Command = {
  usage: "keys rotate PUBLIC_KEY",
  summary:
    "replace a key: a new key with the same tenant, scope, projects, channels and description; the old one is revoked",
  options: [],
  positionals: [1, 1],
  async run(ctx) {
    const { rotateKey } = await import("../publishing/customerKeys");
    const key = await rotateKey(await openKeys(ctx), ctx.positionals[0]);
    printNewKey(ctx, key, `Created key ${key.publicKey} for tenant ${key.tenant}; revoked ${key.replaced}.`);
  },
};

function readFiles(paths: string[]) {
  return paths.map((file) => {
    try {
      return { filename: path.basename(file), bytes: fs.readFileSync(file) };
    } catch (err) {
      throw new CliError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  });
}

function describePublish(results: readonly PublishResult[]): string {
  return results
    .map((r) => `${r.status.padEnd(9)} ${r.filename}${r.reason ? `: ${r.reason}` : ""}`)
    .join("\n");
}

const publishCommand: Command = {
  usage: "publish --tenant T [--channel C] FILE...",
  summary: "publish wheels and sdists (files are immutable; the same bytes again is a no-op)",
  options: ["tenant", "channel"],
  positionals: [1, Infinity],
  async run(ctx) {
    const { PublishError, publish } = await import("../publishing/publish");
    const where = location(ctx);
    const files = readFiles(ctx.positionals);
    const store = await openStore(ctx);
    const progress = createProgress(ctx.stderr, ctx.env);
    let done = 0;
    try {
      const results = await publish(store, where, files, {
        onResult: (r) => progress.update(++done, files.length, `${r.status} ${r.filename}`),
        onWarning: (message) => ctx.stderr.write(`warning: ${message}\n`),
      });
      progress.finish();
      ctx.print(describePublish(results), { tenant: where.tenant, channel: where.channel, results });
    } catch (err) {
      progress.finish();
      if (err instanceof PublishError) {
        ctx.print(describePublish(err.results), {
          tenant: where.tenant,
          channel: where.channel,
          results: err.results,
        });
      }
      throw err;
    }
  },
};

function yankCommand(yank: boolean): Command {
  return {
    usage: `${yank ? "yank" : "unyank"} --tenant T [--channel C] PROJECT VERSION${yank ? " [--reason R]" : ""}`,
    summary: yank ? "mark a version yanked (PEP 592): installers skip it unless pinned" : "undo a yank",
    options: yank ? ["tenant", "channel", "reason"] : ["tenant", "channel"],
    positionals: [2, 2],
    async run(ctx) {
      const where = location(ctx);
      const [project, version] = ctx.positionals;
      const value = yank ? (text(ctx, "reason") ?? true) : false;
      const { setYanked } = await import("../publishing/yankAndRemove");
      const files = await setYanked(await openStore(ctx), where, { project, version }, value);
      const verb = yank ? "yanked" : "unyanked";
      ctx.print(files.map((f) => `${verb} ${f.filename}`).join("\n"), { project, version, files });
    },
  };
}

const removeCommand: Command = {
  usage: "remove --tenant T [--channel C] PROJECT VERSION --yes",
  summary: "delete a version's files for good (prefer yank)",
  options: ["tenant", "channel"],
  flags: ["yes"],
  positionals: [2, 2],
  async run(ctx) {
    const where = location(ctx);
    const [project, version] = ctx.positionals;
    const { removeVersion } = await import("../publishing/yankAndRemove");
    const removed = await removeVersion(
      await openStore(ctx),
      where,
      { project, version },
      ctx.values.yes === true,
    );
    ctx.print(removed.map((f) => `removed ${f}`).join("\n"), { project, version, removed });
  },
};

function describeStatus(status: ProjectStatus): string {
  return `${status.status}${status.reason === undefined ? "" : ` (${status.reason})`}`;
}

function describeProject(page: ProjectPage): string {
  const lines = page.files.map((f) => {
    const yanked = f.yanked === false ? "" : `  yanked${typeof f.yanked === "string" ? `: ${f.yanked}` : ""}`;
    return `${f.filename}  ${f.size} bytes  ${f.uploadTime}${f.requiresPython ? `  requires ${f.requiresPython}` : ""}${yanked}`;
  });
  const status = page.status ? [`status: ${describeStatus(page.status)}`] : [];
  return [...status, ...(lines.length ? lines : [`${page.project} has no files`])].join("\n");
}

const statusSet: Command = {
  usage: "status set --tenant T [--channel C] PROJECT active|archived|deprecated|quarantined [--reason R]",
  summary:
    "set a project's status (PEP 792): archived and quarantined refuse new files, quarantined offers none",
  options: ["tenant", "channel", "reason"],
  positionals: [2, 2],
  async run(ctx) {
    const where = location(ctx);
    const [project, status] = ctx.positionals;
    const { setProjectStatus } = await import("../publishing/yankAndRemove");
    const set = await setProjectStatus(await openStore(ctx), where, project, status, text(ctx, "reason"));
    const name = normalizeProjectName(project);
    ctx.print(
      `${name} in ${where.tenant}/${where.channel} is ${describeStatus(set)}; clients see it within the page cache time (${PAGE_CACHE_CONTROL}).`,
      { tenant: where.tenant, channel: where.channel, project: name, ...set },
    );
  },
};

const listCommand: Command = {
  usage: "list --tenant T [--channel C] [PROJECT]",
  summary: "list the projects of a channel, or one project's files",
  options: ["tenant", "channel"],
  positionals: [0, 1],
  async run(ctx) {
    const { listIndex } = await import("../publishing/yankAndRemove");
    const listing = await listIndex(await openStore(ctx), location(ctx), ctx.positionals[0]);
    if ("projects" in listing) ctx.print(listing.projects.join("\n") || "no projects", listing);
    else ctx.print(describeProject(listing), listing);
  },
};

const reindexCommand: Command = {
  usage: "reindex --tenant T [--channel C]",
  summary: "rebuild every page of a tenant's channel from the stored files",
  options: ["tenant", "channel"],
  positionals: [0, 0],
  async run(ctx) {
    const where = location(ctx);
    const { reindex } = await import("../publishing/reindex");
    const progress = createProgress(ctx.stderr, ctx.env);
    const result = await reindex(await openStore(ctx), where, (project, i, total) =>
      progress.update(i + 1, total, project),
    );
    progress.finish();
    for (const warning of result.warnings) ctx.stderr.write(`warning: ${warning}\n`);
    const lines = [
      ...result.projects.map((p) => `${p.project}: ${p.files} file(s)`),
      ...result.emptied.map((p) => `${p}: no files left, pages deleted`),
    ];
    ctx.print(lines.join("\n") || "no projects", result);
  },
};

function tenantOf(ctx: CommandContext, command: string): string {
  const tenant = text(ctx, "tenant");
  if (!tenant) throw new UsageError(`${command} needs --tenant T`);
  return tenant;
}

function namesCommand(reserve: boolean): Command {
  const verb = reserve ? "reserve" : "unreserve";
  return {
    usage: `names ${verb} --tenant T NAME_OR_GLOB...`,
    summary: reserve
      ? "reserve project names or globs (acme-*): answered 404, never sent to the upstream index, until published"
      : "drop reservations (as reserved, any spelling): those names fall through to the upstream again",
    options: ["tenant"],
    positionals: [1, Infinity],
    async run(ctx) {
      const tenant = tenantOf(ctx, `names ${verb}`);
      const { reserveNames, unreserveNames } = await import("../publishing/reservedNames");
      const change = reserve ? reserveNames : unreserveNames;
      const reserved = await change(await openStore(ctx), tenant, ctx.positionals);
      const human = [
        `Tenant ${tenant} reserves ${reserved.length ? reserved.join(", ") : "nothing"}.`,
        `Edges apply it within ${RESERVED_NAMES_CACHE_SECONDS} s, plus the page cache time for a redirect already cached.`,
      ];
      ctx.print(human.join("\n"), { tenant, reserved });
    },
  };
}

const namesList: Command = {
  usage: "names list --tenant T",
  summary: "list a tenant's reserved names and globs",
  options: ["tenant"],
  positionals: [0, 0],
  async run(ctx) {
    const tenant = tenantOf(ctx, "names list");
    const { listReservedNames } = await import("../publishing/reservedNames");
    const reserved = await listReservedNames(await openStore(ctx), tenant);
    ctx.print(reserved.join("\n") || "no reserved names", { tenant, reserved });
  },
};

async function openTrustedPublishers(ctx: CommandContext) {
  return {
    ...(await openKeys(ctx)),
    ...(ctx.env.GITHUB_API_URL ? { githubApiUrl: ctx.env.GITHUB_API_URL } : {}),
    ...(ctx.env.GITHUB_TOKEN ? { githubToken: ctx.env.GITHUB_TOKEN } : {}),
  };
}

function describePublisher(p: TrustedPublisher): string {
  const environment = p.environment ? `environment ${p.environment}` : "any environment";
  const projects = p.projects ? `projects ${p.projects.join(",")}` : "all projects";
  return `${p.tenant}  ${p.repository} (id ${p.repositoryId}, owner id ${p.repositoryOwnerId})  ${p.workflow}  ${environment}  ${projects}`;
}

/** The options naming one publisher; `trusted-publishers add` and `remove` take them alike. */
function publisherIdentity(ctx: CommandContext, command: string) {
  const tenant = tenantOf(ctx, command);
  const repository = text(ctx, "repository");
  const workflow = text(ctx, "workflow");
  if (!repository) throw new UsageError(`${command} needs --repository OWNER/NAME`);
  if (!workflow) throw new UsageError(`${command} needs --workflow FILE (e.g. release.yml)`);
  const environment = text(ctx, "environment");
  const repositoryId = text(ctx, "repository-id");
  return {
    tenant,
    repository,
    workflow,
    ...(environment !== undefined ? { environment } : {}),
    ...(repositoryId !== undefined ? { repositoryId } : {}),
  };
}

const trustedPublishersAdd: Command = {
  usage:
    "trusted-publishers add --tenant T --repository OWNER/NAME --workflow FILE [--environment E] [--projects a,b] [--repository-id N --owner-id N]",
  summary:
    "let a GitHub Actions workflow publish to a tenant with no secret (trusted publishing); ids from the GitHub API unless given",
  options: ["tenant", "repository", "workflow", "environment", "projects", "repository-id", "owner-id"],
  positionals: [0, 0],
  async run(ctx) {
    const identity = publisherIdentity(ctx, "trusted-publishers add");
    const projects = list(ctx, "projects");
    if (projects?.length === 0) {
      throw new UsageError("--projects needs at least one project name, e.g. --projects demo,other-lib");
    }
    const ownerId = text(ctx, "owner-id");
    const { addTrustedPublisher } = await import("../publishing/trustedPublishers");
    const { publisher, replaced } = await addTrustedPublisher(await openTrustedPublishers(ctx), {
      ...identity,
      ...(projects ? { projects } : {}),
      ...(ownerId !== undefined ? { repositoryOwnerId: ownerId } : {}),
    });
    ctx.print(`${replaced ? "Replaced" : "Added"} trusted publisher ${describePublisher(publisher)}`, {
      ...publisher,
      replaced,
    });
  },
};

const trustedPublishersList: Command = {
  usage: "trusted-publishers list [--tenant T]",
  summary: "list trusted publishers (all tenants', or one's)",
  options: ["tenant"],
  positionals: [0, 0],
  async run(ctx) {
    const tenant = text(ctx, "tenant");
    const { listTrustedPublishers } = await import("../publishing/trustedPublishers");
    const publishers = await listTrustedPublishers(
      await openTrustedPublishers(ctx),
      tenant ? { tenant } : {},
    );
    ctx.print(publishers.map(describePublisher).join("\n") || "no trusted publishers", publishers);
  },
};

const trustedPublishersRemove: Command = {
  usage:
    "trusted-publishers remove --tenant T --repository OWNER/NAME --workflow FILE [--environment E] [--repository-id N]",
  summary: `stop trusting a workflow (keys it minted stay valid until they expire, within ${MINTED_KEY_LIFETIME_SECONDS / 60} minutes)`,
  options: ["tenant", "repository", "workflow", "environment", "repository-id"],
  positionals: [0, 0],
  async run(ctx) {
    const identity = publisherIdentity(ctx, "trusted-publishers remove");
    const { removeTrustedPublisher } = await import("../publishing/trustedPublishers");
    const removed = await removeTrustedPublisher(await openTrustedPublishers(ctx), identity);
    ctx.print(`Removed trusted publisher ${describePublisher(removed)}`, removed);
  },
};

const checkCommand: Command = {
  usage: "check --url URL --key PUBLIC:SECRET   (or PACKAGE_INDEX_URL / PACKAGE_INDEX_KEY)",
  summary: "smoke-test a deployed index; non-zero exit on any failure",
  options: ["url", "key"],
  positionals: [0, 0],
  async run(ctx) {
    const url = text(ctx, "url") ?? ctx.target.indexUrl;
    const key = text(ctx, "key") ?? ctx.env.PACKAGE_INDEX_KEY;
    if (!url) throw new UsageError("check needs --url URL (or PACKAGE_INDEX_URL, or --stack-outputs)");
    if (!key) throw new UsageError("check needs --key PUBLIC:SECRET (or PACKAGE_INDEX_KEY)");
    const results = await check({ url, key });
    const failed = results.filter((r) => !r.ok);
    ctx.print(results.map((r) => `${r.ok ? "ok  " : "FAIL"}  ${r.name}: ${r.detail}`).join("\n"), {
      ok: failed.length === 0,
      checks: results,
    });
    if (failed.length > 0) throw new CliError(`check failed: ${failed.map((r) => r.name).join(", ")}`);
  },
};

export const COMMANDS: Readonly<Record<string, Command>> = {
  "keys create": keysCreate,
  "keys list": keysList,
  "keys revoke": keysRevoke,
  "keys rotate": keysRotate,
  publish: publishCommand,
  yank: yankCommand(true),
  unyank: yankCommand(false),
  remove: removeCommand,
  "status set": statusSet,
  list: listCommand,
  reindex: reindexCommand,
  "names reserve": namesCommand(true),
  "names unreserve": namesCommand(false),
  "names list": namesList,
  "trusted-publishers add": trustedPublishersAdd,
  "trusted-publishers list": trustedPublishersList,
  "trusted-publishers remove": trustedPublishersRemove,
  check: checkCommand,
};
