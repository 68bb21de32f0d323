# syntax=docker/dockerfile:1
# geosteer production image: built with the dev toolchain, run on Node.js 24 LTS as a non-root user.
#   docker build --build-arg VERSION=$(node -p 'require("./package.json").version') \
#     --build-arg REVISION=$(git rev-parse HEAD) -t geosteer .
#   docker run --cap-drop ALL --security-opt no-new-privileges --read-only \
#     -p 53:53/udp -p 53:53/tcp -p 127.0.0.1:8054:8054 geosteer
#   docker run ... -v "$PWD/prod.yaml:/etc/geosteer/geosteer.yaml:ro" geosteer   # your own config
# 8054 is admin.open_listen (/healthz, /readyz, /metrics, no token); the token API listens on the
# container's loopback (127.0.0.1:8053) unless your config gives it admin.tls.
#
# Port 53 without root or capabilities: Docker (20.10+) sets net.ipv4.ip_unprivileged_port_start=0
# in each container's network namespace and Kubernetes pods set it in their securityContext
# (deploy/base/deployment.yaml). No file capabilities on the node binary: with them, node
# cannot even start under --cap-drop ALL, and under no-new-privileges they grant nothing.
#
# The base is pinned by major version (node:24-bookworm-slim follows 24.x security releases);
# to pin exactly, append the digest your registry shows: FROM node:24-bookworm-slim@sha256:<digest>
# and let Renovate or Dependabot move it.

FROM node:24-bookworm-slim AS build
# python3, make and g++ let node-gyp build the native UDP addon (recvmmsg/sendmmsg batches,
# src/dns/README.md "The two UDP paths"); node-gyp takes the headers from the base image
# instead of downloading them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /src
COPY package.json package-lock.json binding.gyp ./
COPY native ./native/
COPY scripts/build-native.mjs ./scripts/
# npm ci's install script only warns when the addon does not build (geosteer would fall back
# to node:dgram), so it skips the build here; build:native compiles it once into
# build/Release/geosteer_udp.node and fails, so an image without the batched UDP path never builds.
RUN GEOSTEER_SKIP_NATIVE=1 npm ci --no-audit --no-fund && npm run build:native
COPY tsconfig.json tsconfig.build.json LICENSE ./
COPY src ./src
COPY scripts/stage-image.sh ./scripts/
RUN npm run build && scripts/stage-image.sh /stage

FROM node:24-bookworm-slim AS runtime
# npm, npx and corepack are not needed to run geosteer; without them the image is smaller and
# scanners stop reporting npm's own dependencies.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="geosteer" \
      org.opencontainers.image.description="Authoritative GeoDNS and traffic-steering server for multi-region API hostnames" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/node:24-bookworm-slim"
ENV NODE_ENV=production \
    GEOSTEER_HEALTHCHECK_URL=http://127.0.0.1:8054/healthz
WORKDIR /app
COPY --from=build --chown=root:root /stage/ /app/
COPY --chown=root:root config/geosteer.container.yaml /etc/geosteer/geosteer.yaml
# uid 1000 is the base image's "node" user; numeric, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 53/udp 53/tcp 8054/tcp
# node's own fetch, no curl: healthy when the open listener (admin.open_listen) answers /healthz
# within 2 s. A config with another address sets GEOSTEER_HEALTHCHECK_URL to match.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.GEOSTEER_HEALTHCHECK_URL,{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve", "--config", "/etc/geosteer/geosteer.yaml"]
