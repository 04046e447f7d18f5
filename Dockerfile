# mock-server: every provider in one container. Docker is optional; `make run` needs none.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOCK_DATABASE_URL=sqlite:////data/mock.db \
    MOCK_EDGE_PORT=443

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mock_server ./mock_server
RUN pip install . \
    && useradd --create-home --uid 10001 mock \
    && mkdir /data && chown mock /data

USER mock
VOLUME ["/data"]
# control plane, JOSS, the x-app-key API, SATUSEHAT KYC, Sales Order, Digitalent (default ports),
# and the HTTPS edge on 443 itself, so a client on the Docker network keeps its hard-coded
# https:// URL (Docker lets a container's own user bind it: ip_unprivileged_port_start=0).
EXPOSE 7100 7101 7102 7103 7104 7105 443

HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % os.environ.get('MOCK_ADMIN_PORT', '7100'), timeout=2)"

CMD ["mock-server", "--host", "0.0.0.0"]
