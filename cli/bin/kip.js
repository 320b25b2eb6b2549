#!/usr/bin/env node
// The `kip` command: runs the compiled CLI (npm run build compiles cli/src to cli/dist).
try {
  await import('../dist/main.js');
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('kip is not built yet: run `npm run build` in the Kipper repository.\n');
    process.exit(1);
  }
  throw error;
}
