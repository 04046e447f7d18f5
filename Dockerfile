# mock-server: every provider in one container. Docker is optional; `make run` needs none.
# Two stages: the first installs the locked dependencies and the package into a virtual
# environment; the final image gets only that environment, not the source tree or a build/.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# The locks first, so a change to the code alone reuses the dependency layer. POSTGRES=true
# adds PostgreSQL's driver (docker-compose.scale.yml: replicas sharing one database).
ARG POSTGRES=false
COPY requirements.lock requirements-postgres.lock ./
RUN python -m venv /opt/mock-server \
    && /opt/mock-server/bin/pip install --no-cache-dir --require-hashes -r requirements.lock \
    && if [ "$POSTGRES" = true ]; then \
        /opt/mock-server/bin/pip install --no-cache-dir --require-hashes \
            -r requirements-postgres.lock; \
    fi
COPY pyproject.toml README.md LICENSE ./
COPY mock_server ./mock_server
RUN /opt/mock-server/bin/pip install --no-cache-dir --no-deps ./

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/mock-server/bin:$PATH \
    MOCK_DATABASE_URL=sqlite:////data/mock.db \
    MOCK_EDGE_PORT=443

COPY --from=build /opt/mock-server /opt/mock-server
# A numeric user, so Kubernetes' runAsNonRoot can verify it is not root.
RUN useradd --uid 10001 --no-create-home --home-dir /data --shell /usr/sbin/nologin mock \
    && mkdir /data && chown 10001:10001 /data

USER 10001
WORKDIR /data
VOLUME ["/data"]
# control plane, JOSS, the x-app-key API, SATUSEHAT KYC, Sales Order, Digitalent (default ports),
# and the HTTPS edge on 443 itself, so a client on the Docker network keeps its hard-coded
# https:// URL (Docker lets a container's own user bind it: ip_unprivileged_port_start=0).
EXPOSE 7100 7101 7102 7103 7104 7105 443

HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % os.environ.get('MOCK_ADMIN_PORT', '7100'), timeout=2)"]

CMD ["mock-server", "--host", "0.0.0.0"]
