// Exactly one installed copy of each @opentelemetry/* package: the 2.x and 3.x lines cannot share a process (their
// API ranges do not overlap), and two copies of one package mean two sets of globals, of which one stays a no-op.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';

interface ListedPackage {
  version?: string;
  path?: string;
  dependencies?: Record<string, ListedPackage>;
}

/** name → install path → version, over the whole tree `npm ls` prints (a deduped entry repeats a path). */
function installedCopies(): Map<string, Map<string, string>> {
  let out: string;
  try {
    out = execFileSync('npm', ['ls', '--all', '--json', '--long'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  } catch (error) {
    // npm ls exits non-zero on an invalid or missing entry, but still prints the tree it found.
    out = (error as { stdout?: string }).stdout ?? '';
  }
  const copies = new Map<string, Map<string, string>>();
  const walk = (node: ListedPackage) => {
    for (const [name, dependency] of Object.entries(node.dependencies ?? {})) {
      if (dependency.path !== undefined && dependency.version !== undefined) {
        const paths = copies.get(name) ?? new Map<string, string>();
        paths.set(dependency.path, dependency.version);
        copies.set(name, paths);
      }
      walk(dependency);
    }
  };
  walk(JSON.parse(out) as ListedPackage);
  return copies;
}

describe('the installed tree', () => {
  const copies = installedCopies();

  it('holds one copy of each @opentelemetry/* package', () => {
    const otel = [...copies].filter(([name]) => name.startsWith('@opentelemetry/'));
    expect(otel.length).toBeGreaterThan(60);
    const duplicated = otel
      .filter(([, paths]) => paths.size > 1)
      .map(([name, paths]) => `${name}: ${[...paths].map(([path, version]) => `${version} at ${path}`).join(', ')}`);
    expect(duplicated).toEqual([]);
  });

  it('is on the 3.x line: the API 1.10, stable packages 3.x, experimental ones 0.3xx', () => {
    const version = (name: string) => [...(copies.get(name)?.values() ?? [])][0];
    expect(version('@opentelemetry/api')).toMatch(/^1\.10\./);
    for (const name of ['core', 'sdk-trace', 'sdk-metrics', 'sdk-logs', 'resources']) {
      expect(version(`@opentelemetry/${name}`), name).toMatch(/^3\./);
    }
    for (const name of ['sdk-node', 'instrumentation', 'otlp-transformer', 'exporter-trace-otlp-http']) {
      expect(version(`@opentelemetry/${name}`), name).toMatch(/^0\.3\d\d\./);
    }
    expect(copies.has('@opentelemetry/api-logs')).toBe(false);
  });

  it('tells copies apart by install path: express 5 at the root and express 4 in its workspace are two', () => {
    const express = [...(copies.get('express') ?? new Map<string, string>()).values()];
    expect(express).toEqual(expect.arrayContaining(['5.3.0', '4.22.3']));
  });
});
