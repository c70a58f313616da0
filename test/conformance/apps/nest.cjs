// NestJS on the platform CONFORMANCE_NEST_PLATFORM names (express or fastify), written without a TypeScript
// compiler: the decorators are applied as the functions they are.
require('reflect-metadata');
const { Controller, Get, Post, Param, HttpCode, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const announce = require('./announce.cjs');

function method(decorators, target, name) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  for (const decorate of decorators) decorate(target.prototype, name, descriptor);
  Object.defineProperty(target.prototype, name, descriptor);
}

class UsersController {
  get(id) {
    return { id };
  }
  create() {
    return {};
  }
  boom() {
    throw new Error('boom');
  }
}
Param('id')(UsersController.prototype, 'get', 0);
method([Get('users/:id')], UsersController, 'get');
method([Post('users'), HttpCode(201)], UsersController, 'create');
method([Get('boom')], UsersController, 'boom');
Controller()(UsersController);

class ItemsController {
  get(item) {
    return { item };
  }
}
Param('item')(ItemsController.prototype, 'get', 0);
method([Get('items/:item')], ItemsController, 'get');
Controller('api')(ItemsController);

class AppModule {}
Module({ controllers: [UsersController, ItemsController] })(AppModule);

async function main() {
  const platform = process.env.CONFORMANCE_NEST_PLATFORM ?? 'express';
  const adapter = platform === 'fastify' ? new (require('@nestjs/platform-fastify').FastifyAdapter)() : undefined;
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  await app.listen(0, '127.0.0.1');
  announce(app.getHttpServer());
}
void main();
