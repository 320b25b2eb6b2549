#!/usr/bin/env node
// The `kip` command: runs the CLI bundled into one file (npm run build: tsc compiles cli/src to
// cli/dist, then cli/scripts/bundle.mjs bundles it into cli/dist/kip.js).
try {
  await import('../dist/kip.js');
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/kip.js')) {
    process.stderr.write('kip is not built yet: run `npm run build` in the Kipper repository.\n');
    process.exit(1);
  }
  throw error;
}
