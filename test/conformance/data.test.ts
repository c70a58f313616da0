// Conformance of the database and cache clients against real PostgreSQL, MariaDB and Redis servers on loopback,
// started once for the file (scripts/local-services.mjs) and stopped after it.
import { afterAll, beforeAll, describe } from 'vitest';
import { startServices, type LocalServices } from '../../scripts/local-services.mjs';
import { DATA_APPS } from './apps';
import { conformanceTests } from './suite';

let services: LocalServices | undefined;
beforeAll(async () => {
  services = await startServices({ mariadb: true });
}, 90_000);
afterAll(async () => services?.stop(), 60_000);

describe('databases and caches', () =>
  conformanceTests(DATA_APPS, () => ({
    DATABASE_URL: services!.databaseUrl,
    MARIADB_URL: services!.mariadbUrl!,
    REDIS_URL: services!.redisUrl,
  })));
