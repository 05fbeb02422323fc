# syntax=docker/dockerfile:1
# Training (`arginator train`, `arginator start --no-serve`, sweeps): a batch container that writes
# runs and registered models to ARGINATOR_HOME (/data) and exits. Build from the repository root:
#   docker build -f docker/train.Dockerfile -t arginator-train .
#   docker run --rm -v arginator-home:/data arginator-train train model=logreg
# The base is pinned by version tag and digest (Dependabot's docker ecosystem bumps both).

# ---- build: compilers and dev dependencies live only in this stage ----
FROM node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS build
# g++, make and python3: node-gyp builds the native kernels (scripts/build-native.mjs) and, when no
# prebuilt binary downloads, better-sqlite3.
RUN apt-get update \
  && apt-get install -y --no-install-recommends g++ make python3 \
  && rm -rf /var/lib/apt/lists/*
# npm 11 reads package.json "allowScripts" (the install-script review of docs/install.md); the
# image's npm 10 would ignore it and run the denied scripts.
RUN npm install -g --no-audit --no-fund npm@11.19.1
WORKDIR /app
COPY . .
# `npm ci` runs the project's `install` (native kernels) and `prepare` (tsc + vite) scripts, as on a
# developer machine; the build fails here if the native kernels did not build (the image must not
# silently ship the slower JavaScript fallback).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund \
  && test -f build/Release/arginator_kernels.node \
  && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: node, the built app and its production dependencies ----
FROM node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS runtime
ENV NODE_ENV=production \
  ARGINATOR_HOME=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/configs ./configs
COPY --from=build /app/data/default ./data/default
COPY --from=build /app/build/Release/arginator_kernels.node ./build/Release/
# The data directory (models, runs, jobs) is a volume owned by the image's unprivileged `node` user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# A batch job that exits when done: its exit code is its health, there is nothing to probe.
HEALTHCHECK NONE
ENTRYPOINT ["node", "/app/dist/cli/bin.js"]
# Trains and registers the default model when none is registered yet, then exits (idempotent).
CMD ["start", "--no-serve"]
