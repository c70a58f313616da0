// Throwaway PostgreSQL and Redis (and MariaDB when asked) on loopback for the examples, the demo and the tests: each
// starts in a temporary directory on a free port and is stopped, and the directory removed, by `stop()`.
//
//   node scripts/local-services.mjs     starts PostgreSQL and Redis, prints DATABASE_URL and REDIS_URL, stops them on Ctrl-C
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SETUP_COMMAND = 'apt-get update && apt-get install -y postgresql redis-server';
export const MARIADB_SETUP_COMMAND = 'bash scripts/install-mariadb.sh';

/** The directory holding initdb and pg_ctl: $PG_BIN, the newest Debian PostgreSQL, or the PATH. */
function postgresBin() {
  if (process.env.PG_BIN) return existsSync(join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : undefined;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return join(debian, versions[0], 'bin');
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? join(which.stdout.trim(), '..') : undefined;
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** What is missing to run PostgreSQL and Redis (and MariaDB with `{ mariadb: true }`) here; empty when nothing is. */
export function missingServices({ mariadb = false } = {}) {
  const missing = [];
  if (!postgresBin()) missing.push('PostgreSQL (initdb, pg_ctl)');
  if (!onPath('redis-server')) missing.push('Redis (redis-server)');
  if (mariadb && !(onPath('mariadbd') || existsSync('/usr/sbin/mariadbd'))) missing.push('MariaDB (mariadbd)');
  return missing;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user the Debian package creates.
function runAsDbOwner(command, args) {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  }
}

async function startPostgres(dir) {
  const bin = postgresBin();
  if (!bin) throw new Error(`PostgreSQL is not installed: ${SETUP_COMMAND}`);
  if (process.getuid?.() === 0) chownSync(dir, Number(idOf('postgres', '-u')), Number(idOf('postgres', '-g')));
  const data = join(dir, 'data');
  const port = await freePort();
  runAsDbOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  runAsDbOwner(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '30', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => runAsDbOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']),
  };
}

function idOf(user, flag) {
  return spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim();
}

async function startRedis(dir) {
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  redis.stdout.setEncoding('utf8').on('data', (d) => (output += d));
  redis.stderr.setEncoding('utf8').on('data', (d) => (output += d));
  const exited = new Promise((resolve) => redis.once('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 30 s:\n${output}`)), 30_000);
    const check = () => {
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    redis.stdout.on('data', check);
    redis.once('error', (err) => reject(new Error(`redis-server could not be started (${err.message}): ${SETUP_COMMAND}`)));
    void exited.then((code) => reject(new Error(`redis-server exited (code ${code}):\n${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    process: redis,
    stop: async () => {
      if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
      await exited;
    },
  };
}

function mariadbd() {
  return onPath('mariadbd') ? 'mariadbd' : '/usr/sbin/mariadbd';
}

// Debian's MariaDB, as PostgreSQL, runs as its own user (`mysql`) when started as root, so it gets a directory of
// its own (PostgreSQL's is closed to other users). Grant tables are skipped: any
// user may connect over loopback without a password, as a throwaway test server should allow.
async function startMariadb(dir) {
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(idOf('mysql', '-u')), Number(idOf('mysql', '-g')));
  const user = asRoot ? ['--user=mysql'] : [];
  const install = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (install.error) throw new Error(`MariaDB is not installed (${install.error.message}): ${MARIADB_SETUP_COMMAND}`);
  if (install.status !== 0) throw new Error(`mariadb-install-db failed (${install.status}):\n${install.stdout}${install.stderr}`);
  const port = await freePort();
  const server = spawn(
    mariadbd(),
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'mariadb.sock')}`,
      ...user,
      '--skip-grant-tables',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  server.stdout.setEncoding('utf8').on('data', (d) => (output += d));
  server.stderr.setEncoding('utf8').on('data', (d) => (output += d));
  const exited = new Promise((resolve) => server.once('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mariadbd did not start within 30 s:\n${output}`)), 30_000);
    server.stderr.on('data', () => {
      if (/ready for connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('error', (err) => reject(new Error(`mariadbd could not be started (${err.message}): ${MARIADB_SETUP_COMMAND}`)));
    void exited.then((code) => reject(new Error(`mariadbd exited (code ${code}):\n${output}`)));
  });
  return {
    url: `mysql://root@127.0.0.1:${port}/mysql`,
    process: server,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Starts PostgreSQL and Redis (and MariaDB with `{ mariadb: true }`); resolves to their URLs and a `stop()` that shuts both down and removes the
 * temporary directory. Stopping also happens when the calling process exits without calling it.
 */
export async function startServices({ mariadb: withMariadb = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-services-'));
  const mariadbDir = withMariadb ? mkdtempSync(join(tmpdir(), 'otelkit-mariadb-')) : undefined;
  let postgres;
  let redis;
  let mariadb;
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      postgres?.stop();
    } finally {
      if (redis?.process.exitCode === null) redis.process.kill('SIGKILL');
      if (mariadb?.process.exitCode === null) mariadb.process.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (mariadbDir) rmSync(mariadbDir, { recursive: true, force: true });
    }
  };
  process.once('exit', stopNow);
  try {
    redis = await startRedis(dir);
    postgres = await startPostgres(dir);
    if (mariadbDir) mariadb = await startMariadb(mariadbDir);
  } catch (err) {
    await redis?.stop();
    stopNow();
    throw err;
  }
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    ...(mariadb ? { mariadbUrl: mariadb.url } : {}),
    async stop() {
      if (stopped) return;
      process.off('exit', stopNow);
      await redis.stop();
      await mariadb?.stop();
      stopNow();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const missing = missingServices();
  if (missing.length > 0) {
    console.error(`Missing: ${missing.join(', ')}. Install them with: ${SETUP_COMMAND}`);
    process.exit(1);
  }
  const services = await startServices();
  console.log(`DATABASE_URL=${services.databaseUrl}\nREDIS_URL=${services.redisUrl}\n(Ctrl-C stops both)`);
  const stop = () => void services.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
