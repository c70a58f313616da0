// Second build step, after tsc: bundles the runtime entries with the OpenTelemetry packages they load, so start-up
// reads a few dozen files instead of ~400 and the compile cache holds them in a few entries.
// - `start` (behind both register entries) and `index` share chunks with otelkit's modules: process-wide state
//   (request context, pending exceptions) has one instance whichever entry an app loads;
// - `compose` holds the SDK and exporter packages; `start()` requires it only when telemetry is on;
// - `sentry` holds the Sentry client (@sentry/core); `compose` requires it only when SENTRY_DSN is set;
// - `packages/<name>`, one per instrumentation or cloud detector package, required when otelkit creates one;
// - the API packages ride along in the chunks, shared with the app (see `sharedApi` below).
// tsc's declarations and the other modules stay in dist/ as they are; the tiny register entries (not bundled)
// turn the compile cache on before they require the bundled `start`.
import { build, rolldown } from 'rolldown';
import { parseAst } from 'rolldown/parseAst';
import { Visitor } from 'rolldown/utils';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, sep } from 'node:path';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// Left to Node's resolution at run time:
// - import-in-the-middle and require-in-the-middle: the ES-module loader hook (a separate thread) and the patched
//   modules must share one import-in-the-middle with @opentelemetry/instrumentation's hooks;
// - gRPC exporters and @grpc/grpc-js: large, loaded only when OTEL_EXPORTER_OTLP_PROTOCOL=grpc;
// - winston and its transports: an app that logs with winston itself would otherwise hold two copies, and the
//   winston instrumentation patches only a copy loaded through `require`. OpenTelemetry's winston transport is
//   bundled (its base class, `winston-transport`, stays outside): outside, it required the whole semantic-conventions
//   package from node_modules in every process that logs with winston.
const EXTERNAL = [
  'import-in-the-middle',
  'require-in-the-middle',
  /^@grpc\//,
  /^@opentelemetry\/exporter-[a-z]+-otlp-grpc$/,
  /^@opentelemetry\/otlp-grpc-exporter-base/,
  /^winston($|\/)/,
  /^winston-transport($|\/)/,
  /^logform($|\/)/,
  /^triple-beam$/,
];

// The inputs are tsc's output: bundling an already bundled entry would nest the old chunk inside the new one.
if (readFileSync(join(dist, 'start.js'), 'utf8').includes('./chunks/')) {
  console.error('dist/start.js is already bundled: run tsc first (npm run build does both)');
  process.exit(1);
}
// Entries that other entries require lazily, at run time, by their built file:
// - `compose`: start() requires the SDK composition only when telemetry is on, so a disabled process does not even
//   read the SDK packages;
// - `packages/<name>`: each package the loaders in src/bundled.ts name (the instrumentations and cloud detectors),
//   so a process reads only the packages it creates, not the code of ~45 in one file. What they share with the SDK
//   lands in the chunks `dist/compose.js` loads.
// Such a require is written as a placeholder and made relative to the requiring chunk once its place is known.
const COMPOSE = join(dist, 'sdk', 'compose.js');
const SENTRY = join(dist, 'sentry', 'reporter.js');
const LOADERS = join(dist, 'bundled.js');
const loaded = [...readFileSync(LOADERS, 'utf8').matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]);
const entryOf = (pkg) => `packages/${pkg.replace(/^@opentelemetry\//, '')}`;
const LATER = 'otelkit-entry:';
const lazyEntries = {
  name: 'otelkit-lazy-entries',
  resolveId(source, importer) {
    if (source === './sdk/compose' && importer === join(dist, 'start.js')) return { id: `${LATER}compose.js`, external: true };
    if (source === '../sentry/reporter' && importer === COMPOSE) return { id: `${LATER}sentry.js`, external: true };
    if (importer === LOADERS && loaded.includes(source)) return { id: `${LATER}${entryOf(source)}.js`, external: true };
    return null;
  },
  renderChunk(code, chunk) {
    const rendered = code.replace(new RegExp(`"${LATER}([^"]+)"`, 'g'), (_, file) => {
      const path = relative(dirname(chunk.fileName), file).split(sep).join('/');
      return JSON.stringify(path.startsWith('.') ? path : `./${path}`);
    });
    // Only string literals change, within their lines: the chunk's source map stays as it is.
    return { code: rendered, map: null };
  },
};

// The API packages are bundled, but the app must get the same copy (its proxies go live only when that copy
// registers the SDK): every import of them goes through `shareWithApp` (src/shared-package.ts), which hands the
// bundled copy to Node's module cache, or adopts the app's copy when the app loaded it first.
const SHARED = ['@opentelemetry/api'];
const requireFromRoot = createRequire(join(root, 'package.json'));
const sharedApi = {
  name: 'otelkit-shared-api',
  resolveId(source) {
    return SHARED.includes(source) ? `\0otelkit-shared:${source}` : null;
  },
  load(id) {
    if (!id.startsWith('\0otelkit-shared:')) return null;
    const name = id.slice('\0otelkit-shared:'.length);
    const file = requireFromRoot.resolve(name);
    const { version } = JSON.parse(
      readFileSync(join(file.slice(0, file.lastIndexOf(name) + name.length), 'package.json'), 'utf8'),
    );
    return (
      `const { shareWithApp } = require(${JSON.stringify(join(dist, 'shared-package.js'))});\n` +
      `module.exports = shareWithApp(${JSON.stringify(name)}, ${JSON.stringify(version)}, () => require(${JSON.stringify(file)}));\n`
    );
  },
};

// The semantic conventions package exports ~660 names. The SDK and instrumentation packages require it as CommonJS,
// which rolldown cannot tree-shake, so the whole package was evaluated at every start (the figure: docs/forks.md).
// A first pass lists the names each CommonJS requirer reads; the build then hands those requirers a module that
// imports just these names from the package's ES-module build (which rolldown tree-shakes) and gives them back as
// `module.exports`: a plain object, so reading a name costs what it did. ES-module importers keep their own imports.
// A requirer that uses the package other than as `binding.NAME` fails the build rather than get a partial object.
const SEMCONV = '@opentelemetry/semantic-conventions';
const SEMCONV_CJS = requireFromRoot.resolve(SEMCONV);
const SEMCONV_ESM = fileURLToPath(import.meta.resolve(SEMCONV));
const SEMCONV_SLIM = '\0semantic-conventions-used';

/** The names a CommonJS module reads from its `require(SEMCONV)` bindings; throws on any other use. */
function semconvReads(code, id) {
  const program = parseAst(code, { lang: 'js' }, id);
  const requires = new Set();
  const bindings = new Set();
  const mentions = new Map();
  const reads = [];
  const isRequire = (node) =>
    node?.type === 'CallExpression' &&
    node.callee.type === 'Identifier' &&
    node.callee.name === 'require' &&
    node.arguments[0]?.type === 'Literal' &&
    node.arguments[0].value === SEMCONV;
  let literals = 0;
  const namesPackage = (node) => typeof node?.value === 'string' && node.value.startsWith(SEMCONV);
  new Visitor({
    Literal(node) {
      if (namesPackage(node)) literals++;
    },
    // An ES-module import of the package is left to rolldown (the module may still mention `require(` elsewhere).
    ImportDeclaration(node) {
      if (namesPackage(node.source)) literals--;
    },
    ExportNamedDeclaration(node) {
      if (namesPackage(node.source)) literals--;
    },
    ExportAllDeclaration(node) {
      if (namesPackage(node.source)) literals--;
    },
    CallExpression(node) {
      if (isRequire(node)) requires.add(node);
    },
    VariableDeclarator(node) {
      if (isRequire(node.init) && node.id.type === 'Identifier') bindings.add(node.id.name);
    },
    MemberExpression(node) {
      if (node.object.type === 'Identifier' && !node.computed) reads.push([node.object.name, node.property.name]);
    },
    Identifier(node) {
      mentions.set(node.name, (mentions.get(node.name) ?? 0) + 1);
    },
  }).visit(program);
  const names = reads.filter(([object]) => bindings.has(object)).map(([, name]) => name);
  const usedOnlyAsReads = [...bindings].every(
    (binding) => mentions.get(binding) === 1 + reads.filter(([object]) => object === binding).length,
  );
  if (literals !== requires.size || requires.size !== bindings.size || !usedOnlyAsReads) {
    throw new Error(`${id}: uses ${SEMCONV} other than as \`const x = require(...)\` and \`x.NAME\`; see semconvReads`);
  }
  return names;
}

/** First pass: which modules require the package's CommonJS build, and what each reads from it. */
function listSemconvReads(requirers, reads) {
  return {
    name: 'otelkit-semconv-reads',
    async resolveId(source, importer, { kind }) {
      if (source !== SEMCONV || kind !== 'require-call') return null;
      const resolved = await this.resolve(source, importer, { kind, skipSelf: true });
      if (resolved?.id === SEMCONV_CJS) requirers.add(importer);
      return null;
    },
    transform(code, id) {
      if (code.includes(SEMCONV) && code.includes('require(')) reads.set(id, semconvReads(code, id));
      return null;
    },
  };
}

function slimSemconv(requirers, names) {
  return {
    name: 'otelkit-slim-semconv',
    resolveId(source, importer, { kind }) {
      return source === SEMCONV && kind === 'require-call' && requirers.has(importer) ? SEMCONV_SLIM : null;
    },
    load(id) {
      if (id !== SEMCONV_SLIM) return null;
      return (
        `import { ${names.join(', ')} } from ${JSON.stringify(SEMCONV_ESM)};\n` +
        `const conventions = { ${names.join(', ')} };\n` +
        `export { conventions as "module.exports" };\n`
      );
    },
  };
}

// The Sentry client (dist/sentry.js, loaded only with SENTRY_DSN) reads a handful of @sentry/core's names, but
// required as CommonJS the package is bundled whole (1.4 MB, some 150 ms more at start). Our own modules under
// dist/sentry/ get, for each `const x = require('@sentry/core[/server]')`, a module importing just the names they
// read (`x.NAME`) from the package's ES-module build, which rolldown tree-shakes; any other use fails the build.
const SENTRY_DIR = join(dist, 'sentry');
const SENTRY_CORE = { '@sentry/core': 'index.js', '@sentry/core/server': 'server.js' };
const SENTRY_CORE_ESM = join(dirname(requireFromRoot.resolve('@sentry/core/package.json')), 'build', 'esm');
const SENTRY_SLIM = '\0sentry-core-used:';

function sentryCoreReads() {
  const reads = Object.fromEntries(Object.keys(SENTRY_CORE).map((name) => [name, new Set()]));
  for (const file of readdirSync(SENTRY_DIR).filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(join(SENTRY_DIR, file), 'utf8');
    for (const [, binding, pkg] of code.matchAll(/const (\w+) = require\("(@sentry\/[^"]+)"\);/g)) {
      if (!(pkg in reads)) throw new Error(`dist/sentry/${file} requires ${pkg}: add it to SENTRY_CORE in scripts/bundle.mjs`);
      const names = [...code.matchAll(new RegExp(`\\b${binding}\\.(\\w+)`, 'g'))].map((m) => m[1]);
      const mentions = code.match(new RegExp(`\\b${binding}\\b`, 'g')).length;
      if (mentions !== 1 + names.length) throw new Error(`dist/sentry/${file} uses ${pkg} other than as \`${binding}.NAME\``);
      for (const name of names) reads[pkg].add(name);
    }
  }
  return reads;
}

function slimSentryCore(reads) {
  return {
    name: 'otelkit-slim-sentry-core',
    resolveId(source, importer) {
      return source in SENTRY_CORE && importer !== undefined && dirname(importer) === SENTRY_DIR ? `${SENTRY_SLIM}${source}` : null;
    },
    load(id) {
      if (!id.startsWith(SENTRY_SLIM)) return null;
      const pkg = id.slice(SENTRY_SLIM.length);
      const names = [...reads[pkg]].sort();
      return (
        `import { ${names.join(', ')} } from ${JSON.stringify(join(SENTRY_CORE_ESM, SENTRY_CORE[pkg]))};\n` +
        `const used = { ${names.join(', ')} };\n` +
        `export { used as "module.exports" };\n`
      );
    },
  };
}

const input = {
  start: join(dist, 'start.js'),
  index: join(dist, 'index.js'),
  compose: COMPOSE,
  sentry: SENTRY,
  ...Object.fromEntries(loaded.map((pkg) => [entryOf(pkg), requireFromRoot.resolve(pkg)])),
};
const inputOptions = { cwd: root, input, platform: 'node', external: EXTERNAL, logLevel: 'warn' };
const requirers = new Set();
const reads = new Map();
const firstPass = await rolldown({ ...inputOptions, plugins: [lazyEntries, sharedApi, listSemconvReads(requirers, reads)] });
await firstPass.generate({ format: 'cjs' });
await firstPass.close();
const unseen = [...requirers].filter((id) => !reads.has(id));
if (unseen.length > 0) throw new Error(`${SEMCONV}: required where semconvReads did not look: ${unseen.join(', ')}`);
const semconvNames = [...new Set([...requirers].flatMap((id) => reads.get(id)))].sort();

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
rmSync(join(dist, 'packages'), { recursive: true, force: true });
const { output } = await build({
  ...inputOptions,
  plugins: [lazyEntries, sharedApi, slimSemconv(requirers, semconvNames), slimSentryCore(sentryCoreReads())],
  output: {
    dir: dist,
    format: 'cjs',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
  },
});

// The bundled packages' licences travel with their code.
const packages = new Map();
for (const id of output.flatMap((item) => item.moduleIds ?? [])) {
  const parts = relative(root, id).split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) continue;
  const dir = join(root, ...parts.slice(0, at + (parts[at + 1].startsWith('@') ? 3 : 2)));
  if (packages.has(dir)) continue;
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  packages.set(
    dir,
    `${meta.name}@${meta.version} (${meta.license})\n\n${file ? readFileSync(join(dir, file), 'utf8').trim() : `Licence: ${meta.license}`}\n`,
  );
}
const notices = [...packages.values()].sort().join(`\n${'-'.repeat(80)}\n\n`);
writeFileSync(
  join(dist, 'chunks', 'THIRD-PARTY-LICENSES.txt'),
  `Packages bundled into dist/start.js, dist/index.js, dist/compose.js, dist/sentry.js, dist/packages/ and these chunks, with their licences.\n\n${notices}`,
);
