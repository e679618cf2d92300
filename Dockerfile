FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY docket ./docket
COPY streams ./streams
COPY agents ./agents
COPY connectors ./connectors
COPY cli ./cli
COPY infra ./infra
COPY schemas ./schemas
# Editable: the released Avro schemas are read from /app/schemas beside the packages.
RUN pip install --no-cache-dir -e ".[erp]"
ENV DOCKET_STATE_DIR=/var/lib/docket
CMD ["docket", "worker"]
