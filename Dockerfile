# The concurrency-lab image: the daemon (default command) and the upstream (`upstream` command).
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
FROM node:24.21.0-slim

ENV NODE_ENV=production
# glibc's malloc keeps up to 8 arenas per core for the daemon's many threads (libuv, worker
# threads, libvips) and fragments them over hours; 2 keeps the RSS flat (README, Soak).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app

# Production dependencies only, from the lockfile; sharp's prebuilt binary comes with them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY src ./src

USER node
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "src/cli/main.ts", "daemon"]
