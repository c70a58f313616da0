// The built runtime (dist/start.js, dist/index.js, dist/compose.js and their chunks, from scripts/bundle.mjs) may require at run
// time only Node built-ins, its own files and packages otelkit declares as dependencies: anything else would be
// found in this repository's node_modules and missing from a user's install.
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The built chunks and the installed package, loaded as the bundle's CommonJS code loads them.
const requireCjs = createRequire(import.meta.url);

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
// debug (inside the bundle, for the GCP detector's HTTP agent) requires it in a try block, for colours.
const OPTIONAL = new Set(['supports-color']);

const runtimeFiles = () => [
  join(dist, 'start.js'),
  join(dist, 'index.js'),
  join(dist, 'compose.js'),
  ...['chunks', 'packages'].flatMap((folder) =>
    readdirSync(join(dist, folder))
      .filter((name) => name.endsWith('.js'))
      .map((name) => join(dist, folder, name)),
  ),
];

const packageOf = (id: string) =>
  id
    .split('/')
    .slice(0, id.startsWith('@') ? 2 : 1)
    .join('/');

describe('the bundled runtime', () => {
  it('requires only built-ins, its own files and declared dependencies', () => {
    const required = new Set<string>();
    for (const file of runtimeFiles()) {
      for (const [, id] of readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)) required.add(id);
    }
    const builtins = new Set(builtinModules);
    const packages = [...required].filter((id) => !id.startsWith('.') && !id.startsWith('node:') && !builtins.has(id));
    expect(packages).toContain('require-in-the-middle');
    const undeclared = packages.map(packageOf).filter((pkg) => !(pkg in dependencies) && !OPTIONAL.has(pkg));
    expect(undeclared).toEqual([]);
  });

  it('the SDK packages are inside the bundle, not required from node_modules', () => {
    const text = runtimeFiles()
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    for (const pkg of ['@opentelemetry/sdk-trace', '@opentelemetry/sdk-metrics', '@opentelemetry/instrumentation-http']) {
      expect(text).not.toContain(`require("${pkg}")`);
    }
    expect(text).toContain('// node_modules/@opentelemetry/sdk-trace/');
  });

  it('carries the API package (logs API included), reached only through shareWithApp with the installed version', () => {
    const text = runtimeFiles()
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    for (const pkg of ['@opentelemetry/api']) {
      expect(text).not.toContain(`require("${pkg}")`);
      const { version } = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(text).toContain(`shareWithApp("${pkg}", "${version}", `);
    }
    expect(text).toContain('// node_modules/@opentelemetry/api/dist/trace/ProxyTracerProvider.cjs');
    expect(text).toContain('// node_modules/@opentelemetry/api/dist/logs/ProxyLoggerProvider.cjs');
  });

  it('names every bundled package, with its version and licence, in THIRD-PARTY-LICENSES.txt', () => {
    const bundled = new Set<string>();
    for (const file of runtimeFiles()) {
      for (const [, path] of readFileSync(file, 'utf8').matchAll(/^\/\/ node_modules\/(.+)$/gm)) {
        const parts = path.split('/node_modules/').pop()!.split('/');
        bundled.add(parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join('/'));
      }
    }
    const notices = readFileSync(join(dist, 'chunks', 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    expect(bundled.size).toBeGreaterThan(50);
    const missing = [...bundled].filter(
      (pkg) => !new RegExp(`^${pkg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@\\S+ \\(`, 'm').test(notices),
    );
    expect(missing).toEqual([]);
    expect(notices).toMatch(/^@opentelemetry\/sdk-trace@3\.0\.0 \(Apache-2\.0\)$/m);
  });

  it('carries of the semantic conventions only the names the bundled code reads, with the values the package gives them', () => {
    // scripts/bundle.mjs hands each CommonJS requirer a module holding just those names (see slimSemconv there).
    const texts = runtimeFiles().map((file) => readFileSync(file, 'utf8'));
    const text = texts.join('\n');
    expect(text).not.toContain('// node_modules/@opentelemetry/semantic-conventions/dist/index.cjs');
    const reads = new Set<string>();
    for (const code of texts) {
      for (const [, binding] of code.matchAll(/\b(?:const|let) (\w+) = \([^;\n]*_semantic_conventions_used_exports\)\);/g)) {
        for (const [, name] of code.matchAll(new RegExp(`\\b${binding}\\.(\\w+)`, 'g'))) reads.add(name);
      }
    }
    expect(reads.size).toBeGreaterThan(20);
    const chunk = readdirSync(join(dist, 'chunks')).find((name) => /^_semantic-conventions-used-.*\.js$/.test(name));
    const exported = requireCjs(join(dist, 'chunks', chunk!)) as Record<string, unknown>;
    for (const value of Object.values(exported)) if (typeof value === 'function') (value as () => void)();
    const namespace = Object.values(exported).find((value) => typeof value === 'object' && value !== null) as {
      'module.exports': Record<string, unknown>;
    };
    const carried = namespace['module.exports'];
    const semconv = requireCjs('@opentelemetry/semantic-conventions') as Record<string, unknown>;
    for (const name of reads) {
      expect(semconv[name], name).toBeDefined();
      expect(carried[name], name).toEqual(semconv[name]);
    }
    expect(Object.keys(carried).length).toBeLessThan(Object.keys(semconv).length / 5);
  });
});

describe('the bundled start', () => {
  it('reads the SDK only through the composition entry, which start() requires when telemetry is on', () => {
    const startSide = [join(dist, 'start.js'), ...readdirSync(join(dist, 'chunks')).map((n) => join(dist, 'chunks', n))]
      .filter((file) => file.endsWith('.js') && readFileSync(file, 'utf8').includes('require_start'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(startSide).toContain('require("../compose.js")');
    expect(startSide).not.toContain('// node_modules/@opentelemetry/sdk-trace/');
    expect(readFileSync(join(dist, 'compose.js'), 'utf8')).toContain('// node_modules/@opentelemetry/sdk-trace/');
  });

  it('reads an instrumentation or detector package only when it creates one: at start, the two upstream ones without a target package (http, runtime-node)', () => {
    const compose = readFileSync(join(dist, 'compose.js'), 'utf8');
    expect(compose).toContain('() => require("./packages/instrumentation-pg.js")');
    // Each package's code is in its own entry only: a second copy elsewhere would be a second instance.
    const elsewhere = runtimeFiles()
      .filter((file) => !file.includes(`${sep}packages${sep}`))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const entries = readdirSync(join(dist, 'packages')).filter((name) => name.endsWith('.js'));
    // One entry per package the loaders in src/bundled.ts name.
    const named = [...readFileSync(join(dist, 'bundled.js'), 'utf8').matchAll(/require\('@opentelemetry\/([^']+)'\)/g)];
    expect(entries.sort()).toEqual(named.map(([, name]) => `${name}.js`).sort());
    expect(entries.length).toBeGreaterThan(40);
    for (const entry of entries) {
      expect(elsewhere).not.toContain(`// node_modules/@opentelemetry/${entry.replace(/\.js$/, '')}/`);
    }
    const loaded = execFileSync(
      process.execPath,
      [
        '--require',
        join(dist, 'register.js'),
        '-e',
        `setImmediate(() => console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('${sep}dist${sep}packages${sep}')).map((f) => require('node:path').basename(f)).sort())))`,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
      },
    );
    // undici is instrumented by otelkit's own client instrumentation, which is in the bundle's main part.
    expect(JSON.parse(loaded)).toEqual(['instrumentation-http.js', 'instrumentation-runtime-node.js']);
  });
});
