import { runCli } from './program.js';

// Entry point of the `kip` binary (bin/kip.js imports this file).
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  now: () => new Date(),
});
process.exitCode = code;
