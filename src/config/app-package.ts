// Finds the host application's package.json (name and version) to default service.name and service.version.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface AppPackage {
  readonly name?: string;
  readonly version?: string;
}

const MAX_LEVELS = 8;

/** Walks up from the entry script; start-up only, so synchronous reads are fine here. */
export function findAppPackage(entryScript: string | undefined = process.argv[1]): AppPackage {
  if (!entryScript) return {};
  let dir = dirname(entryScript);
  for (let level = 0; level < MAX_LEVELS; level++) {
    const found = readPackage(join(dir, 'package.json'));
    if (found) return found;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return {};
}

function readPackage(path: string): AppPackage | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { name, version } = parsed as Record<string, unknown>;
    return {
      name: typeof name === 'string' && name ? name : undefined,
      version: typeof version === 'string' && version ? version : undefined,
    };
  } catch {
    return {};
  }
}
