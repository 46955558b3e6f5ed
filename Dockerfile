# seminarbot: `seminarbot run` as a non-root user, the database on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SEMINARBOT_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY content ./content
COPY prompts ./prompts
RUN pip install --no-cache-dir . \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin seminarbot \
 && mkdir -p /data \
 && chown seminarbot:seminarbot /data

USER seminarbot
VOLUME ["/data"]

# The running bot touches /data/heartbeat every 30 s; `seminarbot health` fails when it is stale.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["seminarbot", "health", "--max-age", "180"]

CMD ["seminarbot", "run"]
