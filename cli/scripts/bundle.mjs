// Bundles the compiled CLI (cli/dist/main.js, from tsc -b) into one file, cli/dist/kip.js, which
// bin/kip.js loads: one file to read and compile instead of a few hundred modules. What only some
// commands use stays out of it and is loaded by dynamic import when they run: graphql-ws and
// `ws` (the live updates of --wait and --follow, from node_modules: dependencies of
// @kipper/cli). The confirmation prompt is in the file but runs, and loads node:readline, only
// when `promote` asks.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const lazy = ['graphql-ws', 'ws'];

const result = await build({
  entryPoints: [`${dist}main.js`],
  outfile: `${dist}kip.js`,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ESM builds first (graphql's index.mjs): they tree-shake to what kip uses (graphql's printer).
  mainFields: ['module', 'main'],
  external: lazy.flatMap((name) => [name, `${name}/*`]),
  // The bundled CommonJS packages (commander) require node's modules.
  banner: { js: "import { createRequire as __kipCreateRequire } from 'node:module';\nconst require = __kipCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

// Nothing that loads up front may pull in graphql-ws or ws: `kip app history` would parse them.
const [output] = Object.values(result.metafile.outputs);
const bundled = Object.keys(output.inputs).find((input) => lazy.some((name) => input.includes(`node_modules/${name}/`)));
if (bundled) throw new Error(`cli/scripts/bundle.mjs: ${bundled} is in cli/dist/kip.js; import it dynamically`);
const eager = output.imports.find((i) => i.kind === 'import-statement' && !i.path.startsWith('node:'));
if (eager) throw new Error(`cli/scripts/bundle.mjs: cli/dist/kip.js imports ${eager.path} up front; import it dynamically`);
