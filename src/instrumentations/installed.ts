// Which target packages are installed where the app runs: the default instrumentations load only for those,
// instead of requiring some forty instrumentation packages into every process.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Module, { createRequire } from 'node:module';

/** Resolution roots: the entry script's folder (node_modules above it) and the working directory. */
export function resolutionRoots(entryScript: string | undefined = process.argv[1]): string[] {
  return [...new Set([entryScript ? dirname(entryScript) : undefined, process.cwd()].filter((p): p is string => !!p))];
}

/**
 * Whether a package resolves from one of the roots. The node_modules folders Node would search (those above each
 * root, then NODE_PATH and the global folders) are each listed once, so some forty checks cost a few directory
 * reads; resolving each package instead walked every folder and built an error per missing one (8 ms of
 * start-up). Yarn Plug'n'Play has no node_modules folders: there `require.resolve` answers.
 */
export function createInstalledCheck(roots: readonly string[]): (pkg: string) => boolean {
  if ((process.versions as { pnp?: string }).pnp !== undefined) return createResolveCheck(roots);
  const modules = Module as unknown as { _nodeModulePaths(from: string): string[]; globalPaths?: string[] };
  const folders = [...new Set([...roots.flatMap((root) => modules._nodeModulePaths(root)), ...(modules.globalPaths ?? [])])];
  const listings = new Map<string, Set<string>>();
  const list = (folder: string): Set<string> => {
    let names = listings.get(folder);
    if (names === undefined) {
      try {
        names = new Set(readdirSync(folder));
      } catch {
        names = new Set();
      }
      listings.set(folder, names);
    }
    return names;
  };
  return (pkg) => {
    const slash = pkg.indexOf('/');
    const [scope, name] = pkg.startsWith('@') && slash > 0 ? [pkg.slice(0, slash), pkg.slice(slash + 1)] : [undefined, pkg];
    return folders.some((folder) =>
      scope === undefined ? list(folder).has(name) : list(folder).has(scope) && list(join(folder, scope)).has(name),
    );
  };
}

function createResolveCheck(roots: readonly string[]): (pkg: string) => boolean {
  const resolve = createRequire(`${roots[0] ?? process.cwd()}/`).resolve;
  return (pkg) => {
    try {
      resolve(pkg, { paths: [...roots] });
      return true;
    } catch (err) {
      // An ESM-only package has no `require` export, but it is installed all the same.
      return (err as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
    }
  };
}
