/**
 * PEP 792 project status markers (the living "Project Status Markers" specification): every
 * project has exactly one status, `active` when none is noted. What each means for this index:
 *
 *   active       publishing allowed; files offered (the default)
 *   deprecated   the same as active (installers may warn)
 *   archived     publishing refused; existing files still offered
 *   quarantined  publishing refused; the page offers no file at all
 *
 * The simple API carries the status from version 1.4 (`project-status` in JSON, the
 * `pypi:project-status` and `pypi:project-status-reason` meta tags in HTML).
 */

export const PROJECT_STATUSES = ["active", "archived", "deprecated", "quarantined"] as const;

export type ProjectStatusMarker = (typeof PROJECT_STATUSES)[number];

export function isProjectStatusMarker(value: unknown): value is ProjectStatusMarker {
  return typeof value === "string" && (PROJECT_STATUSES as readonly string[]).includes(value);
}

/** Statuses under which the index accepts no new distribution (PEP 792 "MUST NOT allow uploads"). */
export function refusesUploads(status: ProjectStatusMarker): boolean {
  return status === "archived" || status === "quarantined";
}

/** Statuses under which the index offers no distribution (PEP 792 "MUST NOT offer any distributions"). */
export function withholdsFiles(status: ProjectStatusMarker): boolean {
  return status === "quarantined";
}

/** Longest status reason, in characters (code points). */
export const MAX_STATUS_REASON_LENGTH = 200;

/**
 * A reason: letters, marks, digits, punctuation, symbols and the plain space (no control or
 * format characters, no other separators: nothing that can reorder or hide text in a terminal or
 * break a page), not starting or ending with a space.
 */
const STATUS_REASON_PATTERN = /^[^\p{C}\p{Z}](?:(?:[^\p{C}\p{Z}]| )*[^\p{C}\p{Z}])?$/u;

export const STATUS_REASON_ALLOWED = `1 to ${MAX_STATUS_REASON_LENGTH} letters, digits, punctuation, symbols and spaces, not starting or ending with a space`;

export function isValidStatusReason(reason: string): boolean {
  return [...reason].length <= MAX_STATUS_REASON_LENGTH && STATUS_REASON_PATTERN.test(reason);
}
