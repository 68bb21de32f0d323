# syntax=docker/dockerfile:1
# geosteer production image: build with the dev toolchain, run on a slim base as a non-root user.
#   docker build -t geosteer .
#   docker run -p 53:53/udp -p 53:53/tcp -p 8053:8053 \
#     -v "$PWD/config/prod.yaml:/etc/geosteer/geosteer.yaml:ro" geosteer
# The config must listen on 0.0.0.0:53 / [::]:53 inside the container (see README).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# libcap2-bin gives node the right to bind port 53 without running as root.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap 'cap_net_bind_service=+ep' "$(readlink -f /usr/local/bin/node)" \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root config/geosteer.example.yaml /etc/geosteer/geosteer.yaml
USER node
EXPOSE 53/udp 53/tcp 8053/tcp
VOLUME ["/etc/geosteer"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve", "--config", "/etc/geosteer/geosteer.yaml"]
