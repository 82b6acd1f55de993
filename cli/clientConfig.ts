/**
 * The ready-to-paste configuration `keys create` prints for pip, uv and poetry: each configures
 * this index as the only one (no `--extra-index-url`, no second source: the index itself sends
 * names the tenant does not have to the upstream, so a private name can never come from elsewhere).
 * One block per client, each a heading line and its lines indented by two spaces. The end-to-end
 * tests parse this output and paste every block as printed. The URL of a channel other than main
 * is `<base>/<channel>/simple/` (the edge's URL scheme).
 */
import { MAIN_CHANNEL } from "../domain/names";

/** The source name used in uv and poetry configuration (uv derives `UV_INDEX_PPI_*` from it). */
export const SOURCE_NAME = "ppi";

/** Where the user writes the name of a package they take from this index. */
export const PACKAGE_PLACEHOLDER = "<package>";

/** The heading of each printed block, by what it configures. */
export const CONFIGURATION_HEADINGS = {
  pipCommand: "pip, one command:",
  pipConf: "pip, in pip.conf (or the same URL in PIP_INDEX_URL):",
  uvDefault: "uv, this index in place of PyPI (pyproject.toml; in uv.toml write [[index]]):",
  uvCredentials: "uv credentials (environment):",
  poetryPrimary: "poetry, this index in place of PyPI:",
} as const;
export type ConfigurationBlock = keyof typeof CONFIGURATION_HEADINGS;

/** `https://host/simple/` for main, `https://host/<channel>/simple/` for another channel. */
export function channelIndexUrl(indexUrl: string, channel: string): string {
  const base = indexUrl.replace(/simple\/?$/, "").replace(/\/?$/, "/");
  return channel === MAIN_CHANNEL ? `${base}simple/` : `${base}${channel}/simple/`;
}

function withCredentials(url: string, publicKey: string, secretKey: string): string {
  const parsed = new URL(url);
  parsed.username = publicKey;
  parsed.password = secretKey;
  return parsed.toString();
}

export function clientConfigurationBlocks(
  indexUrl: string,
  key: { publicKey: string; secretKey: string; channels?: readonly string[] },
): Record<ConfigurationBlock, readonly string[]> {
  const channel =
    key.channels && key.channels.length > 0 && !key.channels.includes(MAIN_CHANNEL)
      ? key.channels[0]
      : MAIN_CHANNEL;
  const url = channelIndexUrl(indexUrl, channel);
  const authenticated = withCredentials(url, key.publicKey, key.secretKey);
  const envName = SOURCE_NAME.toUpperCase();
  const uvIndex = ["[[tool.uv.index]]", `name = "${SOURCE_NAME}"`, `url = "${url}"`];
  const poetryLogin = `poetry config http-basic.${SOURCE_NAME} ${key.publicKey} ${key.secretKey}`;
  return {
    pipCommand: [`pip install --index-url ${authenticated} ${PACKAGE_PLACEHOLDER}`],
    pipConf: ["[global]", `index-url = ${authenticated}`],
    uvDefault: [...uvIndex, "default = true"],
    uvCredentials: [
      `export UV_INDEX_${envName}_USERNAME=${key.publicKey}`,
      `export UV_INDEX_${envName}_PASSWORD=${key.secretKey}`,
    ],
    poetryPrimary: [`poetry source add --priority=primary ${SOURCE_NAME} ${url}`, poetryLogin],
  };
}

export function clientConfiguration(
  indexUrl: string,
  key: { publicKey: string; secretKey: string; channels?: readonly string[] },
): string {
  const blocks = clientConfigurationBlocks(indexUrl, key);
  return (Object.keys(CONFIGURATION_HEADINGS) as ConfigurationBlock[])
    .flatMap((block) => [
      CONFIGURATION_HEADINGS[block],
      ...blocks[block].map((line) => (line ? `  ${line}` : "")),
    ])
    .join("\n");
}
