import { runCli } from './program.js';

// Entry point of the `kip` binary (bin/kip.js imports this file).

// `kip app history api | head -3` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  now: () => new Date(),
});
process.exitCode = code;

// The run is over: its clients are closed. Node's fetch keeps the idle keep-alive socket open
// (and the process alive) for about 100 ms more; `kip` does not wait for it. Both streams are
// flushed first, so nothing printed is lost when they are pipes.
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
