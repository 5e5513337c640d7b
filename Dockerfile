# privsim images (BuildKit). Two final targets:
#
#   runtime (the default): the API, `privsim migrate` and CPU build workers
#       docker build -t privsim .
#   gpu: a CUDA 12 build worker with the `gpu` extra (CuPy); run it with a GPU
#       docker build --target gpu -t privsim-gpu .
#       docker run --gpus all ... privsim-gpu
#
# Both install the service and its client (clients/python: the `privsim` command) into
# /opt/venv in a builder stage, not editable, with the dependencies in their own layer
# before the code, and run as the non-root user `app`. The build context is an allowlist
# (.dockerignore): no var/, keys, .env or .venv.
#
# PYTHON_IMAGE is the base of the build stages and of `runtime`: any image with a
# Python 3.11 as `python3` and its venv module, e.g. Debian bookworm made with debootstrap
# (docker/make-bases.sh; `make docker-test` builds on it where no registry is reachable):
#       docker build --build-arg PYTHON_IMAGE=privsim-local/python:3.11 -t privsim .
# Behind a TLS-inspecting proxy, hand the build its CA bundle as a secret (no layer keeps it):
#       docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt ...
# No `# syntax=` line: the builtin Dockerfile frontend (Docker >= 20.10) has all this file
# uses, and a build needs no registry for the frontend.

ARG PYTHON_VERSION=3.11
ARG PYTHON_IMAGE=python:${PYTHON_VERSION}-slim
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04

# ---- build-base: Python and uv (from PyPI), nothing of ours yet ---------------------
FROM ${PYTHON_IMAGE} AS build-base
# uv in a venv of its own: a distribution's Python refuses `pip install` (PEP 668)
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && python3 -m venv /opt/uv \
 && /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check "uv>=0.5" \
 && ln -s /opt/uv/bin/uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    VIRTUAL_ENV=/opt/venv
WORKDIR /src

# ---- builder: /opt/venv on the image's own Python (for the runtime stage) -----------
# (/usr/local/bin/python3 in python:slim, /usr/bin/python3 in Debian's)
FROM build-base AS builder
RUN uv venv --python "$(command -v python3)" /opt/venv
COPY pyproject.toml ./
COPY clients/python/pyproject.toml ./clients/python/
RUN --mount=type=cache,target=/root/.cache/uv --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi \
 && uv pip install -r pyproject.toml --extra dask \
 && uv pip install -r clients/python/pyproject.toml
COPY clients/python ./clients/python
COPY app ./app
COPY core ./core
COPY gpu ./gpu
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi \
 && uv pip install --no-deps ./clients/python . \
 && /opt/venv/bin/privsim serve --help >/dev/null

# ---- builder-gpu: a self-contained Python (uv-managed, in /opt/python), `gpu` extra --
# The CUDA runtime image has no Python 3.11 of its own; python-build-standalone needs
# nothing from the system but glibc, so the venv is copied into it as it is.
FROM build-base AS builder-gpu
ARG PYTHON_VERSION
ENV UV_PYTHON_INSTALL_DIR=/opt/python
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi \
 && UV_PYTHON_DOWNLOADS=automatic uv python install "${PYTHON_VERSION}" \
 && uv venv --managed-python --python "${PYTHON_VERSION}" /opt/venv
COPY pyproject.toml ./
COPY clients/python/pyproject.toml ./clients/python/
RUN --mount=type=cache,target=/root/.cache/uv --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi \
 && uv pip install -r pyproject.toml --extra gpu \
 && uv pip install -r clients/python/pyproject.toml
COPY clients/python ./clients/python
COPY app ./app
COPY core ./core
COPY gpu ./gpu
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi \
 && uv pip install --no-deps ./clients/python . \
 && /opt/venv/bin/privsim serve --help >/dev/null

# ---- gpu: `privsim worker` on a CUDA device -----------------------------------------
FROM ${CUDA_IMAGE} AS gpu
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    PRIVSIM_BACKEND=gpu \
    PRIVSIM_VAR_DIR=/var/lib/privsim
# CuPy compiles its kernels with NVRTC at run time, and from CUDA 12.2 on that needs the
# CUDA runtime headers (vector_types.h, ...), which the runtime image leaves out
RUN test -n "${CUDA_VERSION:-}" \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
        "cuda-cudart-dev-$(echo "${CUDA_VERSION}" | cut -d. -f1,2 | tr . -)" \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
 && install -d -o app -g app -m 0700 /var/lib/privsim
COPY --from=builder-gpu /opt/python /opt/python
COPY --from=builder-gpu /opt/venv /opt/venv
WORKDIR /home/app
USER app
VOLUME ["/var/lib/privsim"]
# a worker serves no HTTP; compose and the orchestrator watch the process instead
HEALTHCHECK NONE
CMD ["privsim", "worker"]

# ---- runtime (default): the API on PYTHON_IMAGE (python:slim unless told) ------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PRIVSIM_HOST=0.0.0.0 \
    PRIVSIM_PORT=8000 \
    PRIVSIM_VAR_DIR=/var/lib/privsim
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
 && install -d -o app -g app -m 0700 /var/lib/privsim
COPY --from=builder /opt/venv /opt/venv
WORKDIR /home/app
USER app
# the embedded default's SQLite file and generated data key live here
VOLUME ["/var/lib/privsim"]
EXPOSE 8000
# python (the venv's), not curl: the slim image has no curl. Liveness only; /readyz checks the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["privsim", "serve", "--host", "0.0.0.0", "--port", "8000"]
