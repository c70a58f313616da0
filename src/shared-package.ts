// One instance of the OpenTelemetry API package for otelkit's bundle and the app.
//
// The bundle carries @opentelemetry/api (with the logs API since 1.10), which saves reading its files at every
// start. The API keeps a proxy provider per loaded copy, and a copy's proxies go live only when that same copy
// registers the SDK, so the app must get otelkit's copy: a tracer or logger it takes before `start()` would otherwise
// stay a no-op for good. The bundled copy is therefore placed in Node's module cache where the app's `require` of the
// package would land (documented: entries of `require.cache` may be added), and where the app already loaded that
// file, its copy is the one otelkit uses. ES modules importing the package get its ESM build either way, as with any
// CJS dependency.
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

interface ModuleStatics {
  _nodeModulePaths(from: string): string[];
}

/**
 * Returns the copy of package `name` for otelkit to use: the app's copy when it already loaded it; otherwise the
 * bundled copy, which also becomes the app's when the package installed beside otelkit is the same version.
 * `from` is the file whose resolution the app shares (the bundle's chunk). Never throws.
 */
export function shareWithApp<T>(name: string, version: string, bundled: () => T, from: string = __filename): T {
  const appRequire = Module.createRequire(from);
  let file: string | undefined;
  try {
    file = appRequire.resolve(name);
  } catch {
    // Not installed beside otelkit (e.g. otelkit bundled into the app): nobody else can load it from here.
  }
  const cached = file === undefined ? undefined : appRequire.cache[file];
  if (cached?.loaded) return cached.exports as T;
  const exports = bundled();
  if (file !== undefined && installedVersion(file, name) === version) {
    const entry = new Module(file);
    entry.filename = file;
    entry.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(dirname(file));
    entry.exports = exports;
    entry.loaded = true;
    appRequire.cache[file] = entry;
  }
  return exports;
}

/** The version in the package.json of the package that `file` belongs to; undefined when unreadable. */
function installedVersion(file: string, name: string): string | undefined {
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  try {
    const meta = JSON.parse(readFileSync(join(file.slice(0, at + marker.length), 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof meta.version === 'string' ? meta.version : undefined;
  } catch {
    return undefined;
  }
}
