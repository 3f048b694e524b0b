# syntax=docker/dockerfile:1
# mqtt-gateway. Bridges MQTT (a broker at MQTT_URL) into Kafka.
# Build from the repository root after `npx nx run mqtt-gateway:build`:
#   docker build -f docker/mqtt-gateway.Dockerfile -t fieldlink/mqtt-gateway .
# dist/apps/mqtt-gateway/ is the app's bundle with a package.json of only the packages it imports,
# the folder tools/packaging/bundles.spec.ts installs and starts in npm test.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY dist/apps/mqtt-gateway/package.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
ENV SPOOL_DIR=/var/lib/fieldlink/spool
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY dist/apps/mqtt-gateway/ ./
# The root filesystem can be read-only: the service writes only to its volumes.
RUN mkdir -p /var/lib/fieldlink/spool && chown 1000:1000 /var/lib/fieldlink/spool
VOLUME ["/var/lib/fieldlink/spool"]
# Numeric, so Kubernetes can check runAsNonRoot: uid 1000 is the image's "node" user.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=16", "main.js"]
