# syntax=docker/dockerfile:1
# EduCloud Live node image (Debian 12, Node 20). Stages:
#   deps    npm dependencies (native modules built here)
#   worker  mediasoup's C++ worker, built once from the npm sources against Debian's libraries;
#           it reads only the package manifests and its build script, so a code change reuses it
#   build   the TypeScript workspaces and the web client, then dev dependencies pruned
#   runtime slim image, non-root, with a health check
FROM node:20-bookworm AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 pkg-config meson ninja-build \
      flatbuffers-compiler libflatbuffers-dev libssl-dev libuv1-dev libsrtp2-dev \
      libusrsctp-dev libabsl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY sfu/package.json sfu/
COPY signaling/package.json signaling/
COPY rtmp-ingest/package.json rtmp-ingest/
COPY collab/package.json collab/
COPY server/package.json server/
COPY web/package.json web/
# mediasoup would download a prebuilt worker from GitHub; the worker stage builds it instead.
RUN MEDIASOUP_WORKER_BIN=skip npm ci --no-audit --no-fund

FROM deps AS worker
COPY scripts/build-mediasoup-worker.sh scripts/
RUN EDUCLOUD_CACHE_DIR=/tmp/worker-cache bash scripts/build-mediasoup-worker.sh \
 && cp node_modules/mediasoup/worker/out/Release/mediasoup-worker /mediasoup-worker

FROM deps AS build
COPY . .
RUN npx tsc -b && npm run build -w @educloud/web && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# ffmpeg for RTMP/HLS; the shared libraries the mediasoup worker is linked against.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates libuv1 libsrtp2-1 \
      libusrsctp2 libabsl20220623 libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin educloud \
 && mkdir -p /data /recordings && chown educloud:educloud /data /recordings
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/protocol protocol
COPY --from=build /app/sfu sfu
COPY --from=build /app/signaling signaling
COPY --from=build /app/rtmp-ingest rtmp-ingest
COPY --from=build /app/collab collab
COPY --from=build /app/server server
COPY --from=build /app/web/dist web/dist
COPY --from=worker /mediasoup-worker /usr/local/bin/mediasoup-worker
ENV NODE_ENV=production \
    MEDIASOUP_WORKER_BIN=/usr/local/bin/mediasoup-worker \
    PORT=8080 \
    DATA_DIR=/data \
    WEB_ROOT=/app/web/dist
USER educloud
VOLUME ["/data"]
# HTTP (behind the proxy), RTMP, and the first worker's WebRTC port; docker-compose.yml publishes
# one RTC port per worker (RTC_PORT … RTC_PORT + MEDIASOUP_WORKERS - 1, UDP and TCP).
EXPOSE 8080 1935 44444/udp 44444/tcp
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server/dist/main.js"]
