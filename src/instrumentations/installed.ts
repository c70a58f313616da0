// Which target packages are installed where the app runs: the default instrumentations load only for those,
// instead of requiring some forty instrumentation packages into every process.
import { dirname } from 'node:path';
import { createRequire } from 'node:module';

/** Resolution roots: the entry script's folder (node_modules above it) and the working directory. */
export function resolutionRoots(entryScript: string | undefined = process.argv[1]): string[] {
  return [...new Set([entryScript ? dirname(entryScript) : undefined, process.cwd()].filter((p): p is string => !!p))];
}

export function createInstalledCheck(roots: readonly string[]): (pkg: string) => boolean {
  const resolve = createRequire(`${roots[0] ?? process.cwd()}/`).resolve;
  const seen = new Map<string, boolean>();
  return (pkg) => {
    let installed = seen.get(pkg);
    if (installed === undefined) {
      try {
        resolve(pkg, { paths: [...roots] });
        installed = true;
      } catch (err) {
        // An ESM-only package has no `require` export, but it is installed all the same.
        installed = (err as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
      }
      seen.set(pkg, installed);
    }
    return installed;
  };
}
