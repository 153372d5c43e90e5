# syncd: lead-scoring sync daemon.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY syncd ./syncd
COPY connectors ./connectors
COPY config ./config
RUN pip install . && useradd --system --home /var/lib/syncd syncd \
    && mkdir -p /var/lib/syncd && chown syncd /var/lib/syncd
USER syncd
WORKDIR /var/lib/syncd
ENTRYPOINT ["syncd"]
CMD ["--help"]
