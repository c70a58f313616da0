// The benchmark's apps: the script each runs (from the repository root) and the path wrk requests.
export const APPS = {
  hello: { script: 'bench/apps/hello.cjs', path: '/' },
  realistic: { script: 'bench/apps/realistic.cjs', path: '/orders/42' },
  middleware: { script: 'bench/apps/middleware.cjs', path: '/api/tickets/7' },
  'http-client': { script: 'bench/apps/http-client.cjs', path: '/orders/42' },
  pino: { script: 'bench/apps/pino.cjs', path: '/orders/42' },
  middleware4: { script: 'bench/apps/middleware4.cjs', path: '/api/tickets/7' },
  fastify: { script: 'bench/apps/fastify.cjs', path: '/api/tickets/7' },
};
