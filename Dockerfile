# syncd: lead-scoring sync daemon, as a service.
#   docker build -t syncd .
#   docker run -v ./syncd.yaml:/etc/syncd/syncd.yaml:ro -v syncd-state:/var/lib/syncd \
#              -p 127.0.0.1:9464:9464 syncd
# The entrypoint is `syncd run` (long-running); arguments are appended,
# e.g. `docker run ... syncd --once` for one cycle of every connector.

# --- build: install the package and its dependencies into a virtualenv -------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY syncd ./syncd
COPY connectors ./connectors
RUN python -m venv /opt/syncd && /opt/syncd/bin/pip install --no-cache-dir .

# --- runtime: the virtualenv (the shipped models are in the package), a non-root user
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/syncd/bin:$PATH \
    SYNCD_CONFIG=/etc/syncd/syncd.yaml \
    SYNCD_DAEMON__HOST=0.0.0.0
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/syncd \
        --shell /usr/sbin/nologin syncd \
    && mkdir -p /var/lib/syncd /etc/syncd \
    && chown syncd:syncd /var/lib/syncd
COPY --from=build /opt/syncd /opt/syncd
USER 10001:10001
WORKDIR /var/lib/syncd
# SQLite state (the default store) lives here; use PostgreSQL for more than one replica.
VOLUME ["/var/lib/syncd"]
# /healthz, /readyz and /metrics (daemon.port in the config; the HEALTHCHECK assumes 9464).
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9464/healthz', timeout=4)"]
# SIGTERM (docker stop) ends the running cycles after their current batch.
STOPSIGNAL SIGTERM
ENTRYPOINT ["syncd", "run"]
