// What the side-by-side and profile benchmarks share: their command line (options, and variants given as
// 'name: ENV=value ... -- node args'), and wrk on CPU 1 against one of the variants.
import { spawn } from 'node:child_process';

/** `--name value` options, `--flag`s (the names in `flags`, set to true), and the variants' specs (every other argument). */
export function parseCommandLine(args, flags = []) {
  const options = new Map();
  const specs = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    if (name === undefined) specs.push(args[i]);
    else options.set(name, flags.includes(name) ? true : args[++i]);
  }
  return { options, specs };
}

/** `'after: OTEL_X=1 -- -r ./dist/register.js'` → { name: 'after', env: { OTEL_X: '1' }, args: ['-r', './dist/register.js'] } */
export function parseVariant(spec) {
  const [name, rest = ''] = spec.split(/:(.*)/s);
  const [envPart, argPart = ''] = rest.split(/(?:^|\s)--(?:\s|$)/);
  const env = Object.fromEntries(
    envPart
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split(/=(.*)/s).slice(0, 2)),
  );
  return { name: name.trim(), env, args: argPart.trim().split(/\s+/).filter(Boolean) };
}

/** Requests served in `seconds` of wrk (16 connections, on CPU 1) against `path` on `port`. */
export function wrk(port, path, seconds) {
  return new Promise((resolve) => {
    const child = spawn('taskset', ['-c', '1', 'wrk', '-t1', '-c16', `-d${seconds}s`, `http://127.0.0.1:${port}${path}`]);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', () => resolve(Number(/(\d+) requests in/.exec(out)?.[1] ?? 0)));
  });
}
