# coturn from Debian's package, run as its unprivileged turnserver user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends coturn \
 && rm -rf /var/lib/apt/lists/*
USER turnserver
ENTRYPOINT ["turnserver"]
