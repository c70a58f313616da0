// The app's own winston, pino and bunyan loggers, each writing one JSON line to stdout while handling a request.
// Each line carries `via` (the logger's name), which is how the suite finds it.
const http = require('node:http');
const winston = require('winston');
const pino = require('pino');
const bunyan = require('bunyan');
const announce = require('./announce.cjs');

const loggers = {
  winston: winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] }),
  pino: pino(),
  bunyan: bunyan.createLogger({ name: 'conformance' }),
};
const ROUTES = {
  '/winston': () => loggers.winston.info('winston line', { via: 'winston' }),
  '/pino': () => loggers.pino.info({ via: 'pino' }, 'pino line'),
  '/bunyan': () => loggers.bunyan.info({ via: 'bunyan' }, 'bunyan line'),
};

const server = http.createServer((req, res) => {
  const route = ROUTES[req.url];
  if (!route) return void res.writeHead(404).end();
  route();
  res.end('logged');
});
server.listen(0, '127.0.0.1', () => announce(server));
