// What the side-by-side and profile benchmarks share: variants given as 'name: ENV=value ... -- node args', and wrk
// on CPU 1 against one of them.
import { spawn } from 'node:child_process';

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
