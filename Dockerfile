# seminarbot: `seminarbot run` as a non-root user (uid and gid 10001), the database on /data.
# To pin the base by digest (README, "Docker"): FROM python:3.11-slim@sha256:<digest>, in both
# stages.

# Stage 1: the wheel of seminarbot, made with the locked build backend. Only the wheel goes on:
# the running image holds no build backend.
FROM python:3.11-slim AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /app
COPY requirements-build.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements-build.lock
# Only what .dockerignore allows (pyproject.toml, README.md, src/, content/, prompts/ and the
# lock files) is in the build context.
COPY . ./
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

# Stage 2: what runs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    SEMINARBOT_DATA_DIR=/data

# A fixed uid and gid, so that a host folder mounted on /data can be given to them.
RUN groupadd --system --gid 10001 seminarbot \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin seminarbot \
 && mkdir -p /data \
 && chown seminarbot:seminarbot /data \
 && chmod 700 /data

# The dependencies, exactly as locked, in a layer of their own: a change to the source reuses it.
WORKDIR /app
# They are installed by the locked pip, used for this and left out of the image: the base's own
# may be too old for the lock (a pip before 23.3 refuses, under --require-hashes, a package that
# asks for another's extra).
COPY requirements-pip.lock requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --target /tmp/pip -r requirements-pip.lock \
 && PYTHONPATH=/tmp/pip python -m pip install --no-cache-dir --require-hashes -r requirements.lock \
 && rm -rf /tmp/pip

VOLUME ["/data"]

# The running bot rewrites /data/heartbeat every 30 s and whenever a platform's link changes;
# `seminarbot health` fails when it is stale, or when a platform has been down longer than
# --max-down (300 s by default). So an outage shows as unhealthy after about 5 min plus up to
# 3 × 60 s of retries (README, Docker: how to shorten it).
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["seminarbot", "health", "--max-age", "180"]

# `docker run image` runs the bot; `docker run -i image console` (or any subcommand) runs that.
ENTRYPOINT ["seminarbot"]
CMD ["run"]

# The project itself, last.
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl

USER seminarbot
