// One wrapper of `require`, installed over the instrumentations' require-in-the-middle hook, that does two things:
// - creates a deferred instrumentation when the app first requires one of its target packages (before the hook
//   sees that load, so the hook patches it);
// - sends only the requires that an instrumentation can patch through the hook. require-in-the-middle resolves
//   every `require` of the process a second time and parses its path, whatever the module (what that costs at
//   start-up: docs/forks.md). A module is only ever patched
//   when its package (or built-in) is one an instrumentation registered, so every other require goes straight
//   to the `require` that was in place before the hook, and gets the same module.
import Module from 'node:module';
import { isAbsolute, sep } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';

const NODE_MODULES = `${sep}node_modules${sep}`;
type RequireFunction = typeof Module.prototype.require;

/** The package a `require` id names: `pg` for `pg/lib/client`, `@redis/client` for `@redis/client/dist/x`. */
export function packageOf(id: string): string | undefined {
  const first = id.charCodeAt(0);
  // '.', '/' and 'node:' ids never name an armed package; most requires inside packages are relative.
  if (first === 46 || first === 47 || id.startsWith('node:')) return undefined;
  const slash = id.indexOf('/');
  if (first !== 64) return slash < 0 ? id : id.slice(0, slash);
  const second = id.indexOf('/', slash + 1);
  return second < 0 ? id : id.slice(0, second);
}

/** The package a file belongs to: the path after its last `node_modules`; undefined for the app's own files. */
export function packageOfFile(filename: string): string | undefined {
  const at = filename.lastIndexOf(NODE_MODULES);
  if (at < 0) return undefined;
  const start = at + NODE_MODULES.length;
  const first = filename.indexOf(sep, start);
  if (first < 0) return filename.slice(start);
  if (filename.charCodeAt(start) !== 64) return filename.slice(start, first);
  const second = filename.indexOf(sep, first + 1);
  return `${filename.slice(start, first)}/${filename.slice(first + 1, second < 0 ? undefined : second)}`;
}

/**
 * The module names an upstream instrumentation registers with the hook, or undefined when the instance does not
 * show them in the known shape. Its own definitions are in `_modules`; an instrumentation that wraps others (redis
 * wraps one per major version) leaves that empty and lists theirs through the public `getModuleDefinitions()`.
 */
function registeredModules(instance: Instrumentation): string[] | undefined {
  let modules = (instance as unknown as { _modules?: unknown })._modules;
  if (!Array.isArray(modules)) return undefined;
  if (modules.length === 0) {
    const list = (instance as unknown as { getModuleDefinitions?: () => unknown }).getModuleDefinitions;
    try {
      modules = typeof list === 'function' ? list.call(instance) : [];
    } catch {
      return undefined;
    }
    if (!Array.isArray(modules)) return undefined;
  }
  const names = (modules as Array<{ name?: unknown } | undefined>).map((m) => m?.name);
  return names.every((n): n is string => typeof n === 'string') ? names : undefined;
}

export class RequireRouter {
  /** Packages and built-ins some instrumentation patches. */
  private readonly hooked = new Set<string>();
  /** An instance whose module names are unknown: every require then goes through the hook, as without the router. */
  private routeAll = false;

  /** `original`: the `require` in place before any instrumentation was created. */
  constructor(private readonly original: RequireFunction) {}

  /** Notes the modules of created upstream instrumentations (otelkit's own hook no `require`). */
  note(instances: readonly Instrumentation[]): void {
    for (const instance of instances) {
      const names = registeredModules(instance);
      if (names === undefined) this.routeAll = true;
      else
        for (const name of names) {
          // By package (or built-in): `fs/promises` is patched as a name of its own, and counts as `fs`.
          const bare = name.startsWith('node:') ? name.slice(5) : name;
          this.hooked.add(packageOf(bare) ?? bare);
        }
    }
  }

  /** Whether a `require(id)` from `parent` can reach a module an instrumentation patches. */
  mayPatch(id: string, parent: { filename?: unknown } | undefined): boolean {
    if (this.routeAll) return true;
    if (id.charCodeAt(0) === 46) {
      // Relative: a file of the parent's package, unless the path walks into a node_modules folder.
      if (id.includes('node_modules')) return true;
      const from = typeof parent?.filename === 'string' ? packageOfFile(parent.filename) : undefined;
      return from !== undefined && this.hooked.has(from);
    }
    if (isAbsolute(id)) {
      const to = packageOfFile(id);
      return to !== undefined && this.hooked.has(to);
    }
    const pkg = packageOf(id.startsWith('node:') ? id.slice(5) : id);
    return pkg === undefined || this.hooked.has(pkg);
  }

  /**
   * Installs the wrapper over the current `require` (the hook's). `armed`: target package → instrumentations to
   * create on its first require, by `activate`, which hands back what it created.
   */
  install(armed: Map<string, string[]>, activate: (name: string, pkg: string) => Instrumentation[]): void {
    const hooked = Module.prototype.require;
    // Nothing installed a hook before this: there is nothing to go around.
    const bypass = hooked === this.original ? undefined : this.original;
    if (bypass === undefined && armed.size === 0) return;
    const router = this;
    Module.prototype.require = function requireRouted(this: Module, id: string) {
      if (typeof id !== 'string') {
        // eslint-disable-next-line prefer-rest-params
        return hooked.apply(this, arguments as unknown as [string]);
      }
      if (armed.size > 0) {
        // A package required by its file's path (`require(require.resolve('express', { paths }))`) counts too.
        const pkg = isAbsolute(id) ? packageOfFile(id) : packageOf(id);
        const names = pkg === undefined ? undefined : armed.get(pkg);
        if (pkg !== undefined && names !== undefined) {
          // Disarm every target of these instrumentations first: each is created once, whichever package came first.
          for (const [target, list] of armed) if (list.some((n) => names.includes(n))) armed.delete(target);
          for (const name of names) router.note(activate(name, pkg));
        }
      }
      const through = bypass === undefined || router.mayPatch(id, this) ? hooked : bypass;
      // eslint-disable-next-line prefer-rest-params
      return through.apply(this, arguments as unknown as [string]);
    } as typeof hooked;
  }
}
