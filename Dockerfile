# syncd: lead-scoring sync daemon, as a service.
#   docker build -t syncd .
#   docker run -v ./syncd.yaml:/etc/syncd/syncd.yaml:ro -v syncd-state:/var/lib/syncd \
#              -p 127.0.0.1:9464:9464 syncd
# Without arguments the container runs `syncd run` (the service). Arguments
# name any syncd command (`docker run ... syncd check`, `... syncd status`);
# options alone go to `syncd run` (`docker run ... syncd --once`).
# See deploy/docker-entrypoint.sh and docs/operations.md.

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
COPY deploy/docker-entrypoint.sh /usr/local/bin/syncd-entrypoint
RUN chmod 0755 /usr/local/bin/syncd-entrypoint
USER 10001:10001
WORKDIR /var/lib/syncd
# SQLite state (the default store) lives here; use PostgreSQL for more than one replica.
VOLUME ["/var/lib/syncd"]
# /healthz, /readyz and /metrics on daemon.port (9464 unless the config says
# otherwise); the HEALTHCHECK reads the port from the same config.
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-m", "syncd.daemon.probe"]
# SIGTERM (docker stop) ends the running cycles after their current batch;
# SIGHUP (docker kill -s HUP) reloads the config and models between cycles.
STOPSIGNAL SIGTERM
ENTRYPOINT ["syncd-entrypoint"]
CMD ["run"]
