# syntax=docker/dockerfile:1
# The device simulators of npm start (tools/simulators), one image for the MQTT, CoAP and OPC UA
# ones; the compose file picks the script with `command`. Build from the repository root:
#   docker build -f docker/simulators.Dockerfile -t fieldlink/simulators .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /sim
COPY docker/simulators/package.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
WORKDIR /sim
COPY --from=deps /sim/node_modules ./node_modules
COPY tools/simulators/ ./simulators/
# tsx keeps its cache and the PLC its PKI under /tmp, a tmpfs in compose: the root can be read-only.
USER 1000:1000
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["simulators/mqtt-devices.ts"]
