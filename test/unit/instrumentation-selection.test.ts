// Which instrumentations load: by default only those whose packages are installed (built-ins always), router
// not next to express; an explicit OTEL_NODE_ENABLED_INSTRUMENTATIONS is taken as given.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { snapshotEnv } from '../../src/config/env';
import { selectInstrumentations } from '../../src/instrumentations/load';
import { packageOf } from '../../src/instrumentations/require-router';
import { createInstalledCheck, resolutionRoots } from '../../src/instrumentations/installed';
import { ownExpressCaptureFits } from '../../src/instrumentations/express-errors';
import { INSTRUMENTATIONS, type InstrumentationEntry } from '../../src/instrumentations/table';
import { requireBundled } from '../../src/bundled';

const configFor = (env: Record<string, string>) => resolveConfig(snapshotEnv(env), {}, {}).config;
const installed =
  (...pkgs: string[]) =>
  (pkg: string) =>
    pkgs.includes(pkg);

describe('selectInstrumentations', () => {
  it('defaults: built-ins plus the instrumentations of installed packages', () => {
    const selected = selectInstrumentations(configFor({}), installed('pg', 'winston'));
    expect(selected).toEqual(['http', 'pg', 'runtime-node', 'undici', 'winston']);
  });

  it('express 5 brings the router package, but the router instrumentation is left out next to express', () => {
    expect(selectInstrumentations(configFor({}), installed('express', 'router'))).toContain('express');
    expect(selectInstrumentations(configFor({}), installed('express', 'router'))).not.toContain('router');
    expect(selectInstrumentations(configFor({}), installed('router'))).toContain('router');
  });

  it('an explicit list loads exactly what it names, installed or not', () => {
    const config = configFor({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,router,express,dns,mongodb' });
    expect(selectInstrumentations(config, installed())).toEqual(['dns', 'express', 'http', 'mongodb', 'router']);
  });

  it('start({ instrumentations: { name: { enabled: false } } }) leaves that one out, as upstream takes it', () => {
    const { config } = resolveConfig(
      snapshotEnv({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg,undici' }),
      { instrumentations: { undici: { enabled: false }, pg: { enabled: false }, http: { enabled: true } } },
      {},
    );
    expect(selectInstrumentations(config, installed('pg'))).toEqual(['http']);
    const defaults = resolveConfig(snapshotEnv({}), { instrumentations: { http: { enabled: false } } }, {}).config;
    expect(selectInstrumentations(defaults, installed())).not.toContain('http');
  });

  it('the installed check resolves real packages from this repository and not missing ones', () => {
    const check = createInstalledCheck(resolutionRoots(__filename));
    expect(check('express')).toBe(true);
    expect(check('winston')).toBe(true);
    expect(check('mongodb')).toBe(false);
    expect(check('@google-cloud/spanner')).toBe(false);
    expect(check('@opentelemetry/api')).toBe(true);
  });

  it('the installed check finds packages in node_modules folders above the entry script, scoped or not', () => {
    const project = mkdtempSync(join(tmpdir(), 'otelkit-installed-'));
    for (const pkg of ['pg', '@redis/client']) mkdirSync(join(project, 'node_modules', pkg), { recursive: true });
    const entryDir = join(project, 'services', 'orders', 'src');
    mkdirSync(entryDir, { recursive: true });
    const check = createInstalledCheck([entryDir]);
    expect(check('pg')).toBe(true);
    expect(check('@redis/client')).toBe(true);
    expect(check('@redis/json')).toBe(false);
    expect(check('redis')).toBe(false);
  });
});

describe('packageOf: the package a require id names', () => {
  it.each([
    ['pg', 'pg'],
    ['pg/lib/client', 'pg'],
    ['@redis/client', '@redis/client'],
    ['@redis/client/dist/lib/client', '@redis/client'],
    ['./local', undefined],
    ['../up', undefined],
    ['/abs/path.js', undefined],
    ['node:http', undefined],
  ])('%s → %s', (id, pkg) => {
    expect(packageOf(id)).toBe(pkg);
  });
});

describe('ownExpressCaptureFits: express layers need no span on express 4 or when the router reports errors itself', () => {
  const project = (packages: Record<string, string>, nested = false): string => {
    const root = mkdtempSync(join(tmpdir(), 'otelkit-router-'));
    for (const [name, version] of Object.entries(packages)) {
      // npm hoists router next to express; pnpm-like layouts keep it under express's own node_modules.
      const dir =
        nested && name === 'router'
          ? join(root, 'node_modules', 'express', 'node_modules', name)
          : join(root, 'node_modules', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version }));
    }
    return root;
  };

  it.each([
    ['express 5 on router 2.3', { express: '5.3.0', router: '2.3.0' }, false, true],
    ['a nested router 2.4', { express: '5.9.0', router: '2.4.1' }, true, true],
    ['router 3', { express: '6.0.0', router: '3.0.0' }, false, true],
    ['router 2.2 (no error channel)', { express: '5.1.0', router: '2.2.0' }, false, false],
    ['express 4 (its own router)', { express: '4.21.2' }, false, true],
    // A router that resolves beside express 4 (another package brought it) is not the one it routes through.
    ['express 4 beside an old router', { express: '4.22.3', router: '1.3.8' }, false, true],
    ['no express', {}, false, false],
  ])('%s', (_case, packages, nested, expected) => {
    expect(ownExpressCaptureFits([project(packages, nested)])).toBe(expected);
  });
});

describe('requireBundled', () => {
  // The bundle carries only the packages bundled.ts names literally: a table entry missing there would fail at run time.
  it('loads every instrumentation of the table, with the class the table names', () => {
    for (const { pkg, exportName } of Object.values(INSTRUMENTATIONS) as InstrumentationEntry[]) {
      // otelkit's own (fastify) have no package.
      if (pkg === undefined || exportName === undefined) continue;
      expect(typeof requireBundled<Record<string, unknown>>(pkg)[exportName], pkg).toBe('function');
    }
  });

  it('refuses a package it does not carry', () => {
    expect(() => requireBundled('left-pad')).toThrow(/left-pad is not a package otelkit carries/);
  });
});
