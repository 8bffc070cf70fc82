# shipshape GitHub App: `docker build -t shipshape .` then see "Install the GitHub App" in README.md.

# ---- build: compile TypeScript with the dev dependencies
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY codemods ./codemods
COPY bench ./bench
COPY schemas ./schemas
COPY fixtures/repos/pcm-ops ./fixtures/repos/pcm-ops
RUN npm ci --no-audit --no-fund

# ---- runtime: production dependencies, the build, git; no compiler, no dev tools
FROM node:22-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    LOG_LEVEL=info
COPY package.json package-lock.json .npmrc ./
# No install scripts: the build is copied from the first stage, and tree-sitter-python ships its WASM grammar.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
# Clones live in the temporary directory; nothing else is written.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `npm start` is the webhook server; `node dist/src/cli/main.js worker` runs a worker only (with REDIS_URL).
CMD ["node", "dist/src/app/main.js"]
