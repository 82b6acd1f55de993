/**
 * A minimal Pulumi Cloud REST client for the delivery scripts: token authentication, the required
 * `Accept`/`Content-Type` headers, JSON bodies, and errors that say which call failed and why.
 * The token comes from `PULUMI_ACCESS_TOKEN` (in CI: exchanged from the GitHub OIDC token by
 * `pulumi/auth-actions`, never a stored secret) and is never printed.
 */

export const DEFAULT_PULUMI_API = "https://api.pulumi.com";

/** The stack whose deployment settings or deployments a call addresses. */
export interface StackRef {
  readonly organization: string;
  readonly project: string;
  readonly stack: string;
}

export class PulumiCloudError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "PulumiCloudError";
  }
}

export class PulumiCloud {
  constructor(
    private readonly token: string,
    private readonly apiUrl: string = DEFAULT_PULUMI_API,
  ) {
    if (!token) {
      throw new PulumiCloudError(
        "PULUMI_ACCESS_TOKEN is not set: in CI exchange the GitHub OIDC token with pulumi/auth-actions; " +
          "locally create a short-lived personal access token in Pulumi Cloud and export it",
      );
    }
  }

  /** Builds a client from the environment (`PULUMI_ACCESS_TOKEN`, optional `PULUMI_API_URL`). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): PulumiCloud {
    return new PulumiCloud(env.PULUMI_ACCESS_TOKEN ?? "", env.PULUMI_API_URL || DEFAULT_PULUMI_API);
  }

  /** `/api/stacks/{org}/{project}/{stack}` followed by `suffix`, each segment URL-encoded. */
  static stackPath(ref: StackRef, suffix: string): string {
    const segments = [ref.organization, ref.project, ref.stack].map(encodeURIComponent).join("/");
    return `/api/stacks/${segments}${suffix}`;
  }

  async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const url = `${this.apiUrl.replace(/\/+$/, "")}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Accept: "application/vnd.pulumi+8",
          "Content-Type": "application/json",
          Authorization: `token ${this.token}`,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new PulumiCloudError(`${method} ${url} failed: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      const hint =
        response.status === 401 || response.status === 403 ? " (check the token and its scope)" : "";
      throw new PulumiCloudError(
        `${method} ${path} answered ${response.status}${hint}: ${text.slice(0, 300)}`,
        response.status,
      );
    }
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new PulumiCloudError(
        `${method} ${path} answered ${response.status} with a body that is not JSON`,
      );
    }
  }
}
