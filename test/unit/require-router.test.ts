// The require router sends through the instrumentations' require hook only the requires that can reach a module
// an instrumentation patches; every other require goes straight to the require that was there before the hook.
import Module, { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { RequireRouter, packageOfFile } from '../../src/instrumentations/require-router';

const withModules = (...names: string[]) => ({ _modules: names.map((name) => ({ name })) }) as unknown as Instrumentation;
const from = (filename: string) => ({ filename });

describe('packageOfFile', () => {
  it('names the package after the last node_modules, scoped or not, and nothing for the app’s own files', () => {
    expect(packageOfFile('/srv/app/node_modules/pg/lib/client.js')).toBe('pg');
    expect(packageOfFile('/srv/app/node_modules/@redis/client/dist/lib/client/index.js')).toBe('@redis/client');
    expect(packageOfFile('/srv/app/node_modules/.pnpm/pg@8.23.1/node_modules/pg/lib/index.js')).toBe('pg');
    expect(packageOfFile('/srv/app/node_modules/express/node_modules/router/index.js')).toBe('router');
    expect(packageOfFile('/srv/app/src/routes/orders.js')).toBeUndefined();
  });
});

describe('RequireRouter.mayPatch', () => {
  const router = new RequireRouter(Module.prototype.require);
  router.note([withModules('express', 'http', 'https'), withModules(), withModules('fs/promises')]);

  it('bare ids: the hooked packages and built-ins, with their internal files', () => {
    expect(router.mayPatch('express', undefined)).toBe(true);
    expect(router.mayPatch('express/lib/router/layer.js', undefined)).toBe(true);
    expect(router.mayPatch('http', undefined)).toBe(true);
    expect(router.mayPatch('node:https', undefined)).toBe(true);
    expect(router.mayPatch('body-parser', undefined)).toBe(false);
    expect(router.mayPatch('node:fs/promises', undefined)).toBe(true);
    expect(router.mayPatch('node:zlib', undefined)).toBe(false);
  });

  it('relative ids: by the requiring file’s package', () => {
    expect(router.mayPatch('./utils', from('/srv/app/node_modules/express/lib/application.js'))).toBe(true);
    expect(router.mayPatch('./read', from('/srv/app/node_modules/body-parser/lib/types/json.js'))).toBe(false);
    expect(router.mayPatch('./routes/orders', from('/srv/app/src/server.js'))).toBe(false);
    // A relative path into a node_modules folder can name any package: the hook sees it.
    expect(router.mayPatch('../node_modules/express', from('/srv/app/src/server.js'))).toBe(true);
  });

  it('absolute ids: by the package the path is in', () => {
    expect(router.mayPatch('/srv/app/node_modules/express/lib/express.js', undefined)).toBe(true);
    expect(router.mayPatch('/srv/app/node_modules/qs/lib/index.js', undefined)).toBe(false);
    expect(router.mayPatch('/srv/app/src/server.js', undefined)).toBe(false);
  });

  it('an instrumentation that wraps others (redis) shows their modules through getModuleDefinitions', () => {
    const wrapper = new RequireRouter(Module.prototype.require);
    wrapper.note([{ _modules: [], getModuleDefinitions: () => [{ name: '@redis/client' }] } as unknown as Instrumentation]);
    expect(wrapper.mayPatch('@redis/client', undefined)).toBe(true);
    expect(wrapper.mayPatch('./commands', from('/srv/app/node_modules/@redis/client/dist/lib/client/index.js'))).toBe(true);
    expect(wrapper.mayPatch('cluster-key-slot', undefined)).toBe(false);
  });

  it('an instrumentation that does not show its modules sends every require through the hook', () => {
    const cautious = new RequireRouter(Module.prototype.require);
    cautious.note([{} as Instrumentation]);
    expect(cautious.mayPatch('body-parser', undefined)).toBe(true);
    expect(cautious.mayPatch('./read', from('/srv/app/node_modules/body-parser/lib/read.js'))).toBe(true);
  });
});

describe('RequireRouter.install', () => {
  const original = Module.prototype.require;
  afterEach(() => {
    Module.prototype.require = original;
  });

  it('requires that cannot be patched skip the hook and return the same module; armed packages create their instrumentation first', () => {
    // createRequire's function goes through Module.prototype.require, as an app's requires do.
    const req = createRequire(import.meta.url);
    const before = { path: req('node:path'), zlib: req('node:zlib'), semver: req('semver'), fastCheck: req('fast-check') };
    const router = new RequireRouter(original);
    const seenByHook: string[] = [];
    // Stands in for require-in-the-middle: records what it is asked for, then requires as usual.
    Module.prototype.require = function hook(this: Module, id: string) {
      seenByHook.push(id);
      return original.call(this, id);
    } as typeof original;
    router.note([withModules('node:zlib')]);
    const created: string[] = [];
    router.install(new Map([['semver', ['semver-instrumentation']]]), (name, pkg) => {
      created.push(`${name} for ${pkg}`);
      return [withModules('semver')];
    });

    expect(req('node:path')).toBe(before.path);
    expect(req('fast-check')).toBe(before.fastCheck);
    expect(seenByHook).toEqual([]);

    expect(req('node:zlib')).toBe(before.zlib);
    expect(req('semver')).toBe(before.semver);
    expect(seenByHook).toEqual(['node:zlib', 'semver']);
    expect(created).toEqual(['semver-instrumentation for semver']);
  });

  it('a package required by the path of its file arms its instrumentation as its name does', () => {
    const req = createRequire(import.meta.url);
    const router = new RequireRouter(original);
    const created: string[] = [];
    router.install(new Map([['semver', ['semver-instrumentation']]]), (name, pkg) => {
      created.push(`${name} for ${pkg}`);
      return [withModules('semver')];
    });
    req(req.resolve('semver'));
    expect(created).toEqual(['semver-instrumentation for semver']);
  });
});
