/**
 * The ready-to-paste configuration `keys create` prints for pip, uv and poetry. The URL of a
 * channel other than main is `<base>/<channel>/simple/` (the edge's URL scheme).
 */
import { MAIN_CHANNEL } from "../domain/names";

/** The source name used in uv and poetry configuration (uv derives `UV_INDEX_PPI_*` from it). */
const SOURCE_NAME = "ppi";

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

export function clientConfiguration(
  indexUrl: string,
  key: { publicKey: string; secretKey: string; channels?: readonly string[] },
): string {
  const channel =
    key.channels && key.channels.length > 0 && !key.channels.includes(MAIN_CHANNEL)
      ? key.channels[0]
      : MAIN_CHANNEL;
  const url = channelIndexUrl(indexUrl, channel);
  const authenticated = withCredentials(url, key.publicKey, key.secretKey);
  const envName = SOURCE_NAME.toUpperCase();
  return [
    "pip (one command):",
    `  pip install --index-url ${authenticated} <package>`,
    "pip (pip.conf, or PIP_INDEX_URL):",
    "  [global]",
    `  index-url = ${authenticated}`,
    "uv (pyproject.toml; in uv.toml write [[index]]), credentials from the environment:",
    "  [[tool.uv.index]]",
    `  name = "${SOURCE_NAME}"`,
    `  url = "${url}"`,
    "  default = true",
    `  export UV_INDEX_${envName}_USERNAME=${key.publicKey}`,
    `  export UV_INDEX_${envName}_PASSWORD=${key.secretKey}`,
    "poetry:",
    `  poetry source add --priority=primary ${SOURCE_NAME} ${url}`,
    `  poetry config http-basic.${SOURCE_NAME} ${key.publicKey} ${key.secretKey}`,
  ].join("\n");
}
