/** CodeArtifact names shared by the stack config and the CodeArtifact component. Pure data. */

/** The repository that proxies public PyPI (external connection `public:pypi`); the team repository's upstream. */
export const PYPI_STORE_REPOSITORY = "pypi-store";

/** A CodeArtifact repository name for the team repository: the store's name is taken. */
export const CODEARTIFACT_REPOSITORY_PATTERN = new RegExp(
  `^(?!${PYPI_STORE_REPOSITORY}$)[A-Za-z0-9][A-Za-z0-9._-]{1,99}$`,
);
