#!/usr/bin/env bash
# Local base images for `make docker-test`, made without any image registry: Debian
# bookworm from its package mirror (debootstrap), turned into an image by `docker import`.
#
#   privsim-local/python:3.11   minbase + python3, python3-venv (Debian's Python 3.11, at
#                               /usr/bin/python3): the Dockerfile's PYTHON_IMAGE
#   privsim-local/postgres:15   that image + Debian's postgresql, whose entrypoint
#                               (docker/postgres-entrypoint.sh) follows the official image:
#                               POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD; listens on *
#
# An image that exists already is kept (delete it to remake it). Needs root, debootstrap
# and a running Docker engine. Environment: DEBIAN_MIRROR, LOCAL_PYTHON_IMAGE,
# LOCAL_POSTGRES_IMAGE, DOCKER (the client; `docker` unless set).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-docker}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PY_IMAGE=${LOCAL_PYTHON_IMAGE:-privsim-local/python:3.11}
PG_IMAGE=${LOCAL_POSTGRES_IMAGE:-privsim-local/postgres:15}

have() { $DOCKER image inspect "$1" >/dev/null 2>&1; }

if have "$PY_IMAGE"; then
    echo "make-bases: $PY_IMAGE exists"
else
    root=$(mktemp -d /tmp/privsim-rootfs.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    echo "make-bases: debootstrap bookworm into $root ($MIRROR)"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$root" "$MIRROR" >"$root.log" 2>&1 \
        || { tail -n 30 "$root.log"; exit 1; }
    # what an image needs no copy of: package lists and caches, docs, man pages
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
        "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/doc/* "$root"/usr/share/man/*
    tar -C "$root" --numeric-owner -c . | $DOCKER import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' \
        --message "debootstrap bookworm minbase + python3 python3-venv" \
        - "$PY_IMAGE"
    rm -rf "$root" "$root.log"
    trap - EXIT
fi

if have "$PG_IMAGE"; then
    echo "make-bases: $PG_IMAGE exists"
else
    echo "make-bases: building $PG_IMAGE on $PY_IMAGE"
    # the host's network: apt reaches the mirror whatever the engine's bridge can do
    $DOCKER build --network host --build-arg "BASE_IMAGE=$PY_IMAGE" \
        -f "$here/postgres.Dockerfile" -t "$PG_IMAGE" "$here"
fi
