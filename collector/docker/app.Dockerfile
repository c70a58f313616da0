# The example app (examples/orders-api) with otelkit preloaded through NODE_OPTIONS, as a service would run it.
# Build context: the repository root (compose.yaml: `context: ..`). Not built in the project's tests (no Docker).
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
# Development dependencies too: the build needs TypeScript and the example needs express.
RUN npm ci --no-audit --no-fund --ignore-scripts && npx tsc -p . && npm cache clean --force
COPY examples ./examples
ENV NODE_ENV=production \
    PORT=3000 \
    NODE_OPTIONS="--require otelkit/register"
USER node
CMD ["node", "examples/orders-api/app.js"]
