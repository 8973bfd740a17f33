# syntax=docker/dockerfile:1
# Chancery node image: `docker build -t chancery .`, then `docker run -p 8080:8080 -v chancery-data:/data chancery`.
# The default store is sqlite in /data; CHANCERY_STORE=postgres and CHANCERY_PG_URL select PostgreSQL,
# CHANCERY_STORE=eventstoredb and CHANCERY_ESDB_URL EventStoreDB.

# ── build: compile TypeScript and native modules, then drop the dev dependencies ──
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off for the install (`prepare` would build before the sources are here), then on for the two that need them.
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ── runtime: the compiled node, its production dependencies and the JSON Schemas, as a non-root user ──
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    CHANCERY_DATA=/data \
    CHANCERY_HOST=0.0.0.0 \
    CHANCERY_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY --from=build /app/schemas ./schemas
# The official image's `node` user (uid 1000) owns the data folder and the folder for a shared log key.
RUN mkdir -p /data /keys && chown node:node /data /keys
USER node
VOLUME ["/data"]
EXPOSE 8080
# Liveness: the process serves HTTP. Readiness (/health/ready) is for load balancers: a node whose store is
# unreachable is alive, not ready, and restarting it would not help.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/chancery.cjs"]
CMD ["start"]
