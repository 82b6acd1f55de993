/**
 * GitHub names as GitHub spells them (the OIDC `sub` claim is compared case-sensitively), and the
 * kinds of GitHub Actions job a role can trust, as config writes them and as the `sub` claim
 * carries them. Shared by the stack config and the trust policies. Pure.
 */

const OWNER = "[A-Za-z0-9][A-Za-z0-9-]{0,38}";
const REPOSITORY_NAME = "[A-Za-z0-9._-]{1,100}";

/** A GitHub user or organization: 1-39 letters, digits or dashes, starting with a letter or digit. */
export const GITHUB_OWNER_PATTERN = new RegExp(`^${OWNER}$`);

/** A GitHub repository as `owner/repo`. */
export const GITHUB_REPOSITORY_PATTERN = new RegExp(`^${OWNER}/${REPOSITORY_NAME}$`);

/**
 * One kind of GitHub Actions job a role trusts, as written in config:
 * `branch:<glob>` (a push to a matching branch), `tag:<glob>` (a matching tag),
 * `environment:<name>` (a job that names that GitHub environment), `pull_request`.
 * A leading `!` on a branch or tag entry excludes matching refs (IAM `StringNotLike`), e.g.
 * `!tag:python-package-index@v*-staging`.
 */
export type GithubJobMatch =
  | { readonly kind: "branch" | "tag"; readonly pattern: string; readonly exclude: boolean }
  | { readonly kind: "environment"; readonly name: string }
  | { readonly kind: "pull_request" };

const REF_PATTERN = /^[A-Za-z0-9._\-/@+*?]+$/;
/** A GitHub environment name (no wildcards: a role trusts one environment by name). */
export const GITHUB_ENVIRONMENT_PATTERN = /^[A-Za-z0-9._-]{1,255}$/;

/** Parses one config entry; returns an error sentence instead of throwing, for the config reader. */
export function parseGithubJobMatch(entry: string): GithubJobMatch | string {
  if (entry === "pull_request") return { kind: "pull_request" };
  const match = /^(!?)(branch|tag|environment):(.*)$/.exec(entry);
  if (!match) {
    return `${JSON.stringify(entry)} is not one of branch:<glob>, tag:<glob>, environment:<name>, pull_request (branch and tag may start with "!" to exclude).`;
  }
  const [, bang, kind, value] = match;
  if (kind === "environment") {
    if (bang) return `${JSON.stringify(entry)}: only branch and tag entries can be excluded with "!".`;
    if (!GITHUB_ENVIRONMENT_PATTERN.test(value)) {
      return `${JSON.stringify(entry)}: an environment name is 1-255 letters, digits, dots, dashes or underscores, without wildcards.`;
    }
    return { kind: "environment", name: value };
  }
  if (!REF_PATTERN.test(value) || !/[^*?]/.test(value)) {
    return `${JSON.stringify(entry)}: a ${kind} glob needs at least one character other than * and ?, and only letters, digits and . _ - / @ + * ?.`;
  }
  return { kind: kind as "branch" | "tag", pattern: value, exclude: bang === "!" };
}

/** The `sub` claim GitHub sends for a job of this kind in `repository`. */
export function githubSubject(repository: string, match: GithubJobMatch): string {
  switch (match.kind) {
    case "branch":
      return `repo:${repository}:ref:refs/heads/${match.pattern}`;
    case "tag":
      return `repo:${repository}:ref:refs/tags/${match.pattern}`;
    case "environment":
      return `repo:${repository}:environment:${match.name}`;
    case "pull_request":
      return `repo:${repository}:pull_request`;
  }
}

/** Why `text` is not a GitHub repository `owner/name`, or undefined when it is one. */
export function githubRepositoryProblem(text: string): string | undefined {
  if (!GITHUB_REPOSITORY_PATTERN.test(text) || /\/\.{1,2}$/.test(text)) {
    return `${JSON.stringify(text)} is not a GitHub repository: use owner/name, the owner 1-39 letters, digits or dashes (not starting with a dash), the name 1-100 letters, digits, ".", "_" or "-" (not "." or ".."), e.g. acme/widgets`;
  }
  return undefined;
}

/** A workflow file as GitHub Actions finds it: a `.yml`/`.yaml` file directly in `.github/workflows/`. */
export const GITHUB_WORKFLOWS_DIRECTORY = ".github/workflows";
const WORKFLOW_FILE_PATTERN = /^[A-Za-z0-9._-]{1,250}\.ya?ml$/;

/** Why `text` is not a workflow file name, or undefined when it is one. */
export function githubWorkflowProblem(text: string): string | undefined {
  if (WORKFLOW_FILE_PATTERN.test(text)) return undefined;
  const base = text.split("/").pop() ?? "";
  const hint =
    text.includes("/") && WORKFLOW_FILE_PATTERN.test(base)
      ? ` (give the file name alone: ${base})`
      : ' (letters, digits, ".", "_" or "-", ending in .yml or .yaml, e.g. release.yml)';
  return `${JSON.stringify(text)} is not a workflow file name in ${GITHUB_WORKFLOWS_DIRECTORY}/${hint}`;
}

/** GitHub's numeric ids (`repository_id`, `repository_owner_id` claims) as decimal strings. */
export const GITHUB_ID_PATTERN = /^[1-9][0-9]{0,19}$/;
