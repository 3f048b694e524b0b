# syntax=docker/dockerfile:1
# stream-processor. Windowed statistics and anomaly alerts from Kafka back to Kafka; it keeps no files.
# Build from the repository root after `npx nx run stream-processor:build`:
#   docker build -f docker/stream-processor.Dockerfile -t fieldlink/stream-processor .
# dist/apps/stream-processor/ is the app's bundle with a package.json of only the packages it imports,
# the folder tools/packaging/bundles.spec.ts installs and starts in npm test.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY dist/apps/stream-processor/package.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY dist/apps/stream-processor/ ./
# The root filesystem can be read-only: the service writes only to its volumes.
# Numeric, so Kubernetes can check runAsNonRoot: uid 1000 is the image's "node" user.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "main.js"]
