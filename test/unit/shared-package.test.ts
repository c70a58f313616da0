// The bundled API packages become the app's copy when the installed package is the same version, and otelkit adopts
// the app's copy when the app loaded it first: one set of proxies, whichever side took a tracer or logger first.
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shareWithApp } from '../../src/shared-package';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project with `@acme/api` of `version` installed, and the file that resolves from inside it. */
function project(version: string | undefined): { from: string; installed: string } {
  const root = mkdtempSync(join(tmpdir(), 'otelkit-shared-'));
  made.push(root);
  const pkg = join(root, 'node_modules', '@acme', 'api');
  if (version !== undefined) {
    mkdirSync(join(pkg, 'build'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/api', version, main: 'build/index.js' }));
    writeFileSync(join(pkg, 'build', 'index.js'), `module.exports = { copy: 'installed' };`);
  }
  mkdirSync(join(root, 'src'));
  return { from: join(root, 'src', 'app.js'), installed: join(pkg, 'build', 'index.js') };
}

describe('shareWithApp', () => {
  it('same version installed: the bundled copy is what the app’s require returns, and the installed file is never read', () => {
    const { from, installed } = project('1.2.3');
    const bundled = { copy: 'bundled' };
    expect(shareWithApp('@acme/api', '1.2.3', () => bundled, from)).toBe(bundled);
    expect(createRequire(from)('@acme/api')).toBe(bundled);
    expect(createRequire(from).cache[installed]?.loaded).toBe(true);
    delete createRequire(from).cache[installed];
  });

  it('the app loaded the package first: otelkit uses the app’s copy and never evaluates its own', () => {
    const { from, installed } = project('1.2.3');
    const apps = createRequire(from)('@acme/api') as { copy: string };
    let evaluated = 0;
    const used = shareWithApp('@acme/api', '1.2.3', () => ({ copy: `bundled ${++evaluated}` }), from);
    expect(used).toBe(apps);
    expect(used.copy).toBe('installed');
    expect(evaluated).toBe(0);
    delete createRequire(from).cache[installed];
  });

  it('another version installed: each side keeps its own copy (the API globals still connect them)', () => {
    const { from, installed } = project('1.2.4');
    const bundled = { copy: 'bundled' };
    expect(shareWithApp('@acme/api', '1.2.3', () => bundled, from)).toBe(bundled);
    expect(createRequire(from).cache[installed]).toBeUndefined();
    expect(createRequire(from)('@acme/api')).toEqual({ copy: 'installed' });
    delete createRequire(from).cache[installed];
  });

  it('not installed beside otelkit: the bundled copy, no throw', () => {
    const { from } = project(undefined);
    const bundled = { copy: 'bundled' };
    expect(shareWithApp('@acme/api', '1.2.3', () => bundled, from)).toBe(bundled);
  });
});
