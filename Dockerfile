# syntax=docker/dockerfile:1
#
# privsim images (BuildKit). Two final targets:
#
#   runtime (the default): the API, `privsim migrate` and CPU build workers
#       docker build -t privsim .
#   gpu: a CUDA 12 build worker with the `gpu` extra (CuPy); run it with a GPU
#       docker build --target gpu -t privsim-gpu .
#       docker run --gpus all ... privsim-gpu
#
# Both install the project (not editable) into /opt/venv in a builder stage, with the
# dependencies in their own layer before the code, and run as the non-root user `app`.
# The build context is an allowlist (.dockerignore): no var/, keys, .env or .venv.

ARG PYTHON_VERSION=3.11
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04

# ---- build-base: Python and uv (from PyPI), nothing of ours yet ---------------------
FROM python:${PYTHON_VERSION}-slim AS build-base
RUN pip install --no-cache-dir "uv>=0.5"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    VIRTUAL_ENV=/opt/venv
WORKDIR /src

# ---- builder: /opt/venv on the image's own Python (for the slim runtime) ------------
FROM build-base AS builder
RUN UV_PYTHON_DOWNLOADS=never uv venv --python /usr/local/bin/python3 /opt/venv
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv pip install -r pyproject.toml --extra dask
COPY app ./app
COPY core ./core
COPY gpu ./gpu
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv \
    uv pip install --no-deps . \
 && /opt/venv/bin/privsim --help >/dev/null

# ---- builder-gpu: a self-contained Python (uv-managed, in /opt/python), `gpu` extra --
# The CUDA runtime image has no Python 3.11 of its own; python-build-standalone needs
# nothing from the system but glibc, so the venv is copied into it as it is.
FROM build-base AS builder-gpu
ARG PYTHON_VERSION
ENV UV_PYTHON_INSTALL_DIR=/opt/python
RUN uv python install "${PYTHON_VERSION}" \
 && uv venv --managed-python --python "${PYTHON_VERSION}" /opt/venv
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv pip install -r pyproject.toml --extra gpu
COPY app ./app
COPY core ./core
COPY gpu ./gpu
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv \
    uv pip install --no-deps . \
 && /opt/venv/bin/privsim --help >/dev/null

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

# ---- runtime (default): the API on python:slim --------------------------------------
FROM python:${PYTHON_VERSION}-slim AS runtime
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
# python, not curl: the slim image has no curl. Liveness only; /readyz checks the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["privsim", "serve", "--host", "0.0.0.0", "--port", "8000"]
