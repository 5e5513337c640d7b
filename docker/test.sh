#!/usr/bin/env bash
# `make docker-test`: the image and the compose stack, built and run for real, on local
# base images (no image registry needed; Debian's package mirror and PyPI are).
#
#   1. start the Docker engine if none answers (dockerd in the background, $DOCKERD_FLAGS)
#   2. make the local base images if missing (docker/make-bases.sh: debootstrap + import)
#   3. build the runtime image on the local Python base (PYTHON_IMAGE build argument)
#   4. bring up db, migrate, api and worker with docker/compose.local.yml, wait for /readyz
#   5. run README.md's first session (the block between the session markers), unchanged,
#      against it, `privsim` being the image's command (`compose exec api privsim ...`)
#   6. check its answers, print them, and take the stack down (`down -v`), also on failure
#
# Environment: API_PORT (18000), PRIVSIM_LOCAL_IMAGE (privsim:local), DOCKERD_FLAGS,
# CA_BUNDLE (a CA bundle handed to the build as a secret, for a TLS-inspecting proxy;
# /etc/ssl/certs/ca-certificates.crt if it exists), KEEP=1 (leave the stack up).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
START=$(date +%s)
log() { printf 'docker-test [%3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

export API_PORT=${API_PORT:-18000}
export PRIVSIM_LOCAL_IMAGE=${PRIVSIM_LOCAL_IMAGE:-privsim:local}
export PRIVSIM_LOCAL_PYTHON_IMAGE=${PRIVSIM_LOCAL_PYTHON_IMAGE:-privsim-local/python:3.11}
export PRIVSIM_LOCAL_POSTGRES_IMAGE=${PRIVSIM_LOCAL_POSTGRES_IMAGE:-privsim-local/postgres:15}
export LOCAL_PYTHON_IMAGE=$PRIVSIM_LOCAL_PYTHON_IMAGE LOCAL_POSTGRES_IMAGE=$PRIVSIM_LOCAL_POSTGRES_IMAGE
PROJECT=privsim-docker-test
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
work=$(mktemp -d /tmp/privsim-docker-test.XXXXXX)
trap 'rm -rf "$work"' EXIT  # until the stack is up: then teardown()

# ---- 1. the engine ------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    command -v dockerd >/dev/null || { echo "no Docker engine answers and no dockerd" >&2; exit 1; }
    log "starting dockerd ${DOCKERD_FLAGS:-} (log: /tmp/privsim-dockerd.log; it keeps running)"
    # shellcheck disable=SC2086
    nohup dockerd ${DOCKERD_FLAGS:-} >/tmp/privsim-dockerd.log 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -n 20 /tmp/privsim-dockerd.log >&2; exit 1; }
fi

# A client that builds with BuildKit (the Dockerfile's cache and secret mounts): one with
# buildx, else a client older than 23 (BuildKit built in), e.g. Debian's /usr/bin/docker
# beside a newer /usr/local/bin/docker that lacks buildx
builder=
for client in ${DOCKER_BUILD_CLIENT:-} docker /usr/bin/docker; do
    command -v "$client" >/dev/null || continue
    if "$client" buildx version >/dev/null 2>&1; then builder=$client; break; fi
    version=$("$client" version --format '{{.Client.Version}}' 2>/dev/null || echo 99)
    if [ "${version%%.*}" -lt 23 ] 2>/dev/null; then builder=$client; break; fi
done
[ -n "$builder" ] || { echo "no docker client that builds with BuildKit (install buildx)" >&2; exit 1; }

# Compose v2 (`docker compose`) if there is one, else v1 (`docker-compose`, Debian's
# 1.29), which refuses the top-level `name:`: it gets a copy without that line
if docker compose version >/dev/null 2>&1; then
    compose_files=(-f docker-compose.yml)
    COMPOSE=(docker compose)
else
    command -v docker-compose >/dev/null || { echo "neither docker compose nor docker-compose" >&2; exit 1; }
    sed '/^name:/d' docker-compose.yml > "$work/docker-compose.yml"
    compose_files=(--project-directory "$ROOT" -f "$work/docker-compose.yml")
    COMPOSE=(docker-compose)
fi
COMPOSE+=(-p "$PROJECT" "${compose_files[@]}" -f "$ROOT/docker/compose.local.yml")
log "engine $(docker version --format '{{.Server.Version}}'), builds with $builder, compose: ${COMPOSE[0]}"

# ---- 2 and 3. the images --------------------------------------------------------------
if ! docker image inspect "$PRIVSIM_LOCAL_PYTHON_IMAGE" "$PRIVSIM_LOCAL_POSTGRES_IMAGE" >/dev/null 2>&1; then
    log "making the local base images (docker/make-bases.sh)"
    DOCKER=$builder DOCKER_BUILDKIT=1 "$ROOT/docker/make-bases.sh" >"$work/bases.log" 2>&1 \
        || { tail -n 40 "$work/bases.log" >&2; exit 1; }
fi
log "building $PRIVSIM_LOCAL_IMAGE on $PRIVSIM_LOCAL_PYTHON_IMAGE"
secret=()
[ -s "$CA_BUNDLE" ] && secret=(--secret "id=ca,src=$CA_BUNDLE")
DOCKER_BUILDKIT=1 "$builder" build --progress=plain --network host "${secret[@]}" \
    --build-arg "PYTHON_IMAGE=$PRIVSIM_LOCAL_PYTHON_IMAGE" --target runtime \
    -t "$PRIVSIM_LOCAL_IMAGE" . >"$work/build.log" 2>&1 \
    || { tail -n 40 "$work/build.log" >&2; exit 1; }
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' \
    | grep -E "privsim-local/|${PRIVSIM_LOCAL_IMAGE%%:*}:${PRIVSIM_LOCAL_IMAGE##*:} " || true

# ---- 4. the stack ---------------------------------------------------------------------
secret_token() { python3 -c "import secrets; print(secrets.token_urlsafe($1))"; }
POSTGRES_PASSWORD=$(secret_token 24)
PRIVSIM_DATA_KEY=$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
PRIVSIM_BOOTSTRAP_ADMIN_KEY=$(secret_token 32)
export POSTGRES_PASSWORD PRIVSIM_DATA_KEY PRIVSIM_BOOTSTRAP_ADMIN_KEY

teardown() {
    status=$?
    if [ "$status" != 0 ]; then
        echo "docker-test: FAILED (status $status); the services' last lines:" >&2
        "${COMPOSE[@]}" logs --no-color --tail 30 >&2 || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        log "KEEP=1: the stack stays up (${COMPOSE[*]} down -v)"
    else
        "${COMPOSE[@]}" down -v --remove-orphans >"$work/down.log" 2>&1 || cat "$work/down.log" >&2
        log "stack down (volumes removed)"
    fi
    rm -rf "$work"
    exit "$status"
}
trap teardown EXIT

log "up: db, migrate, api, worker (project $PROJECT, API on port $API_PORT)"
"${COMPOSE[@]}" up -d --no-build db migrate api worker >"$work/up.log" 2>&1 \
    || { cat "$work/up.log" >&2; exit 1; }
export PRIVSIM_URL=http://127.0.0.1:$API_PORT
for _ in $(seq 120); do
    curl -fsS "$PRIVSIM_URL/readyz" >/dev/null 2>&1 && break
    sleep 1
done
curl -fsS "$PRIVSIM_URL/readyz"; echo
log "ready: $("${COMPOSE[@]}" ps --services --filter status=running 2>/dev/null | sort | tr '\n' ' ' || true)"

# ---- 5. README's first session --------------------------------------------------------
python3 - "$ROOT/README.md" >"$work/session.sh" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
match = re.search(r"<!-- session -->\s*```bash\n(.*?)```\s*<!-- /session -->", text, re.DOTALL)
sys.exit("README.md lost its session block") if not match else print(match.group(1))
PY
# the block's `. .venv/bin/activate`: here, `privsim` is the command inside the api container
mkdir -p "$work/cwd/.venv/bin"
{
    printf 'privsim() { %s exec -T api privsim "$@"; }\n' "$(printf '%q ' "${COMPOSE[@]}")"
} >"$work/cwd/.venv/bin/activate"
log "running README.md's first session against $PRIVSIM_URL"
(cd "$work/cwd" && timeout 300 bash -euo pipefail "$work/session.sh") >"$work/session.out" \
    || { cat "$work/session.out"; exit 1; }
cat "$work/session.out"

# ---- 6. its answers ---------------------------------------------------------------------
python3 - "$work/session.out" <<'PY'
import json, sys
text, decoder, values, i = open(sys.argv[1]).read(), json.JSONDecoder(), [], 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    value, i = decoder.raw_decode(text, i)
    values.append(value)
upload, answer, budget, entries = values
assert upload == {"accepted": 4, "clipped": 1, "rejected": 0}, upload
assert answer["reduce"] == "mean" and len(answer["values"]) == 2, answer
assert all(s > 0 for s in answer["std"]), answer
assert budget == {"total": 2.0, "spent": 1.0, "remaining": 1.0}, budget
assert len(entries) == 1 and entries[0]["epsilon"] == 1.0, entries
print(f"docker-test: session OK: upload {upload}; mean density {answer['values']} "
      f"(noise std {answer['std']}); budget {budget}; ledger {entries}")
PY

# the image's own HEALTHCHECK (the venv's python against /healthz), as compose sees it
api=$("${COMPOSE[@]}" ps -q api)
for _ in $(seq 90); do
    health=$(docker inspect -f '{{.State.Health.Status}}' "$api")
    [ "$health" = starting ] || break
    sleep 1
done
log "api container: $health, user $(docker exec "$api" id -un)"
[ "$health" = healthy ]
log "passed"
