# Navigator Assistant: the bot as a container image.
#   docker build -t navigator-assistant .
#   docker run --env-file .env -v navbot-data:/data navigator-assistant
# `navbot run` applies migrations at start, then polls, or serves webhooks when WEBHOOK_URL
# is set. compose.yaml runs it with PostgreSQL; README, "Deploying with Docker Compose".

# --- build: a wheel of this project only (no tests, no dev tools) --------------------------
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# --- run --------------------------------------------------------------------------------
FROM python:3.11-slim

# SQLite on the data volume unless DATABASE_URL names PostgreSQL (one process per file);
# inside a container the webhook server must listen beyond loopback to be reachable.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/navbot.db \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443

RUN groupadd --system --gid 10001 navbot \
    && useradd --system --uid 10001 --gid navbot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin navbot \
    && mkdir /data \
    && chown navbot:navbot /data

COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8443

# Healthy when the database answers, the schema is at head, updates arrive and reminders go
# out (`navbot health` prints one line per check and exits 0 or 1).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["navbot", "health"]

# PTB stops within its own 10 s on SIGTERM (the default stop signal): give `docker stop`
# more than that (compose.yaml's stop_grace_period, or `docker stop -t 20`).
ENTRYPOINT ["navbot"]
CMD ["run"]
