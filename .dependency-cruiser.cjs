/**
 * The folder layering (README "Code map"), checked by `npm run lint`: each folder imports only the
 * folders listed for it below, no module imports itself through a cycle, production code never
 * imports fixtures/, test/ or bench/, and the leaves serialized into the edge bundle (domain/,
 * edge/) take no npm package.
 *
 * Folders, lowest first. A folder may always import itself and Node's builtins; all but domain/
 * and edge/ may import npm packages.
 */
const PRODUCTION = [
  ["domain", []],
  // build/: where the project is, and whether dist/ matches its sources (the compiled entry points' first check).
  ["build", []],
  ["publishing", ["domain"]],
  ["edge", ["domain"]],
  ["cli", ["domain", "publishing", "edge", "build"]],
  ["upload", ["domain", "publishing", "edge"]],
  // sandbox/ serves /legacy/ with the upload function's handler, as the distribution does.
  ["sandbox", ["domain", "publishing", "edge", "upload", "build"]],
  // components/ sees edge/ through types only: index.ts hands the handler factory to EdgeFunction.
  ["components", ["domain"], { typesOnly: ["edge"] }],
  ["policy-pack", ["domain", "components/policies"]],
  ["config", ["domain"]],
  [
    "index.ts",
    ["domain", "publishing", "edge", "cli", "sandbox", "upload", "components", "policy-pack", "config"],
  ],
  ["deployments", ["domain", "components", "config"]],
  // scripts/generateConfig.ts writes the config artefacts from the schemas and the components' defaults.
  ["scripts", ["domain", "components", "config", "deployments"]],
];
const productionFolders = PRODUCTION.map(([folder]) => folder);
const LAYERS = [
  ...PRODUCTION,
  // Builders shared by tests and benchmarks: anything but test/ and bench/ (and nothing production imports them).
  ["fixtures", productionFolders],
  ["bench", [...productionFolders, "fixtures"]],
  // test/ may import anything.
];

const NPM = ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-bundled", "npm-no-pkg", "npm-unknown"];
const pathOf = (folder) => (folder.endsWith(".ts") ? `^${folder.replace(".", "\\.")}$` : `^${folder}/`);
const anyOf = (folders) => folders.map(pathOf).join("|");
const OURS = anyOf([...LAYERS.map(([folder]) => folder), "test"]);

const layerRules = LAYERS.flatMap(([folder, imports, { typesOnly = [] } = {}]) => [
  {
    name: `layer-${folder.replace(/\.ts$/, "")}`,
    comment: `${folder} may import ${[...imports, ...typesOnly.map((f) => `types of ${f}`)].join(", ") || "no other folder of ours"}.`,
    severity: "error",
    from: { path: pathOf(folder) },
    to: { path: OURS, pathNot: anyOf([folder, ...imports, ...typesOnly]) },
  },
  ...typesOnly.map((types) => ({
    name: `layer-${folder}-types-of-${types}`,
    comment: `${folder} may import types from ${types}, not values.`,
    severity: "error",
    from: { path: pathOf(folder) },
    to: { path: pathOf(types), dependencyTypesNot: ["type-only"] },
  })),
]);

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "no-circular",
      comment: "Modules import each other in a cycle: move what both need one layer down.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-takes-no-package",
      comment: "domain/ is pure and serialized into the edge bundle: Node builtins only.",
      severity: "error",
      from: { path: "^domain/" },
      to: { dependencyTypes: NPM },
    },
    {
      name: "edge-takes-no-package",
      comment:
        "The edge archive is __index.js alone: edge/ requires Node builtins only (types such as aws-lambda are fine).",
      severity: "error",
      from: { path: "^edge/" },
      to: { dependencyTypes: NPM, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to no file.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|\\.sandbox)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    // Resolve packages by their `exports` as Node does (some, e.g. typescript-eslint, have no `main`).
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["require", "import", "node", "default"],
    },
  },
};
