// Conformance of fastify 4 and 5 (CJS and ESM) and NestJS on fastify; a file of their own so that vitest runs them
// beside the other servers.
import { describe } from 'vitest';
import { SERVER_APPS } from './apps';
import { conformanceTests } from './suite';

describe('fastify', () => conformanceTests(SERVER_APPS.filter((a) => a.name.includes('fastify'))));
