// Conformance of the server frameworks but fastify: each app under otelkit and under the upstream register, compared.
import { describe } from 'vitest';
import { SERVER_APPS } from './apps';
import { conformanceTests } from './suite';

describe('server frameworks', () => conformanceTests(SERVER_APPS.filter((a) => !a.name.includes('fastify'))));
