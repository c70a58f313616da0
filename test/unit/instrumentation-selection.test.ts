// Which instrumentations load: by default only those whose packages are installed (built-ins always), router
// not next to express; an explicit OTEL_NODE_ENABLED_INSTRUMENTATIONS is taken as given.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { snapshotEnv } from '../../src/config/env';
import { packageOf, selectInstrumentations } from '../../src/instrumentations/load';
import { createInstalledCheck, resolutionRoots } from '../../src/instrumentations/installed';

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

  it('the installed check resolves real packages from this repository and not missing ones', () => {
    const check = createInstalledCheck(resolutionRoots(__filename));
    expect(check('express')).toBe(true);
    expect(check('winston')).toBe(true);
    expect(check('mongodb')).toBe(false);
    expect(check('@hapi/hapi')).toBe(false);
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
