# watcher: one image for the migrate job, the workers and the digest writer.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY watcher ./watcher
COPY templates ./templates
COPY snapshots ./snapshots
RUN pip install ".[postgres]" && useradd --create-home watcher
USER watcher
ENV WATCHER_HOME=/home/watcher/data
ENTRYPOINT ["watcher"]
CMD ["--help"]
