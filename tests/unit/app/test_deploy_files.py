"""The deployment files agree with the code they deploy, checked without Docker.

``docker-compose.yml`` and ``Dockerfile`` name console scripts, subcommands, options,
settings, paths and routes. Each name is looked up where it is defined (pyproject.toml,
the typer app, ``Settings``, the repository and its ``.dockerignore``, ``create_app``),
so a rename on either side fails here rather than at ``docker compose up``.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from starlette.routing import Match

import app.cli
from app.crypto import new_data_key
from app.db.session import normalise_url
from app.main import create_app
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
OUR_IMAGES = ("privsim:", "privsim-gpu:")
MIGRATE, GPU_WORKER = "migrate", "worker-gpu"
DASK_SCHEDULER, DASK_WORKER = "dask-scheduler", "dask-worker"  # the `dask` profile
DASK_COMMANDS = {DASK_SCHEDULER: ["dask", "scheduler"], DASK_WORKER: ["dask", "worker"]}
NOT_SHIPPED = {"bench"}  # packages in pyproject.toml that the images leave out on purpose
# stand-ins for the secrets compose reads from the environment, to build Settings with
SECRETS = {"POSTGRES_PASSWORD": "compose-test-password",
           "PRIVSIM_DATA_KEY": new_data_key(),
           "PRIVSIM_BOOTSTRAP_ADMIN_KEY": "cmp_Xr7Tq2Wn9Lb4Kv8Hy3Jm6Gd1Fs5Pz0Ac"}
INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


# ---- reading the files ----------------------------------------------------------------


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, keyword: str) -> list[str]:
        return [rest for key, rest in self.instructions if key == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages of a Dockerfile: (KEYWORD, rest) per instruction, continuations joined."""
    stages: list[Stage] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue  # Docker drops comment lines, inside continuations too
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, rest = (pending + line).partition(" ")
        pending = ""
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else ""
            stages.append(Stage(name, words[0]))
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return stages


def command_words(value: str | list[str]) -> list[str]:
    """argv of a compose ``command`` or a Dockerfile CMD (exec or shell form)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    value = value.strip()
    return [str(v) for v in json.loads(value)] if value.startswith("[") else shlex.split(value)


_GLOB = {"**": ".*", "*": "[^/]*", "?": "[^/]"}  # Go filepath.Match, plus Docker's **


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps ``path`` out of the context: the last pattern that
    matches the path or one of its parents decides; ``!`` patterns let it back in."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.removeprefix("!").strip("/")
        regex = re.compile("".join(
            _GLOB.get(part, part if part.startswith("[") else re.escape(part))
            for part in re.findall(r"\*\*|\*|\?|\[[^\]]*\]|[^*?\[]+", body)))
        if any(regex.fullmatch(c) for c in candidates):
            excluded = not negated
    return excluded


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


@pytest.fixture(scope="module")
def ours(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services that run an image built from this repository."""
    return {name: svc for name, svc in services.items()
            if "build" in svc or str(svc.get("image", "")).startswith(OUR_IMAGES)}


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text())


@pytest.fixture(scope="module")
def final_stages(stages: list[Stage]) -> list[Stage]:
    """The stages that are images of their own: those that say what to run."""
    return [s for s in stages if s.args("CMD") or s.args("ENTRYPOINT")]


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def interpolate(value: str) -> str:
    """What compose would substitute, with stand-ins for the required secrets."""
    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if op is not None and op.endswith("?"):
            return SECRETS[name]
        return arg if op is not None else ""
    return INTERPOLATION.sub(one, value)


def privsim_scripts(pyproject: dict[str, Any]) -> dict[str, str]:
    """The console scripts the image runs. ``privsim`` is the client package's command
    (clients/python), which takes the service's commands from the ``privsim.cli`` entry
    points; the service's, ``app.cli:register``, adds ``app.cli.cli``'s."""
    with (ROOT / "clients" / "python" / "pyproject.toml").open("rb") as fh:
        scripts: dict[str, str] = tomllib.load(fh)["project"]["scripts"]
    assert scripts.get("privsim") == "privsim_client.cli:main"
    plugins = pyproject["project"]["entry-points"]["privsim.cli"]
    assert "app.cli:register" in plugins.values(), "the service must add its commands"
    return scripts


def check_invocation(argv: list[str], scripts: dict[str, str]) -> None:
    """argv[0] is a console script of ours, and the service's typer app (which that
    script loads) accepts the rest."""
    assert argv, "an empty command"
    assert argv[0] in scripts, f"{argv[0]!r} is not a console script of ours"
    command: Any = typer.main.get_command(app.cli.cli)
    args = argv[1:]
    while getattr(command, "commands", None) is not None:  # a group: descend
        assert args, f"{' '.join(argv)}: no subcommand"
        assert args[0] in command.commands, f"{' '.join(argv)}: no subcommand {args[0]!r}"
        command, args = command.commands[args[0]], args[1:]
    command.make_context(argv[0], list(args))  # parses and validates, runs nothing


def settings_fields() -> set[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


# ---- docker-compose.yml ---------------------------------------------------------------


def test_every_service_of_ours_runs_a_real_command(
        ours: dict[str, dict[str, Any]], pyproject: dict[str, Any]) -> None:
    assert set(ours) >= {MIGRATE, "api", "worker", GPU_WORKER}
    scripts = privsim_scripts(pyproject)
    for name, service in ours.items():
        assert "command" in service, f"{name} must name its command"
        argv = command_words(service["command"])
        if name in DASK_COMMANDS:  # Dask's own command, from the image's `dask` extra
            assert argv[:2] == DASK_COMMANDS[name], name
            continue
        check_invocation(argv, scripts)


def test_the_runtime_image_has_the_dask_extra(
        stages: list[Stage], pyproject: dict[str, Any]) -> None:
    assert "dask" in pyproject["project"]["optional-dependencies"]
    builder = {s.name: s for s in stages}[runtime_builder(stages)]
    installs = [rest for rest in builder.args("RUN") if "-r pyproject.toml" in rest]
    assert installs, builder.name
    assert all("--extra dask" in rest for rest in installs), builder.name


def runtime_builder(stages: list[Stage]) -> str:
    """The stage the default image copies its /opt/venv from."""
    for rest in stages[-1].args("COPY"):
        words = shlex.split(rest)
        sources = [w.removeprefix("--from=") for w in words if w.startswith("--from=")]
        if sources and words[-1] == "/opt/venv":
            return sources[0]
    raise AssertionError("the default image copies no /opt/venv")


def test_the_roles_run_their_subcommands(services: dict[str, dict[str, Any]]) -> None:
    assert command_words(services[MIGRATE]["command"])[1:] == ["migrate"]
    api = command_words(services["api"]["command"])
    assert api[1] == "serve"
    assert "--no-migrate" in api, "migrations are the migrate service's job"
    assert api[api.index("--host") + 1] == "0.0.0.0"  # noqa: S104  (inside a container)
    for worker in ("worker", GPU_WORKER):
        assert command_words(services[worker]["command"])[1:2] == ["worker"]


def test_dependencies_wait_for_a_healthy_db_and_a_finished_migration(
        services: dict[str, dict[str, Any]], ours: dict[str, dict[str, Any]]) -> None:
    assert services["db"]["image"].startswith("postgres:16")
    assert services["db"]["healthcheck"]["test"], "db needs a healthcheck to wait on"
    assert services[MIGRATE]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services[MIGRATE].get("restart", "no") == "no", "a one-shot must not restart"
    for name, service in ours.items():
        if name == DASK_SCHEDULER:
            assert "depends_on" not in service, "the scheduler reads no database"
            continue
        depends = service.get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on needs the long form"
        if name != MIGRATE:
            assert depends[MIGRATE] == {"condition": "service_completed_successfully"}, name
        if "db" in depends:
            assert depends["db"]["condition"] == "service_healthy", name


def test_the_gpu_worker_is_only_in_the_gpu_profile(
        services: dict[str, dict[str, Any]], stages: list[Stage]) -> None:
    in_gpu = {name for name, svc in services.items() if "gpu" in svc.get("profiles", [])}
    assert in_gpu == {GPU_WORKER}
    gpu = services[GPU_WORKER]
    assert gpu["profiles"] == ["gpu"]
    assert environment(gpu)["PRIVSIM_BACKEND"] == "gpu"
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert any(d["driver"] == "nvidia" and "gpu" in d["capabilities"] for d in devices)
    for name, service in services.items():  # nothing outside the profile needs it
        if name != GPU_WORKER:
            assert GPU_WORKER not in (service.get("depends_on") or {}), name
            assert not service.get("deploy", {}).get("resources", {}).get("reservations")
    stage_names = {s.name for s in stages}
    assert gpu["build"]["target"] in stage_names
    assert gpu["build"]["target"] != stages[-1].name, "the default image must not be CUDA's"


def test_the_dask_services_are_only_in_the_dask_profile(
        services: dict[str, dict[str, Any]]) -> None:
    in_dask = {name for name, svc in services.items() if "dask" in svc.get("profiles", [])}
    assert in_dask == set(DASK_COMMANDS)
    for name in in_dask:
        assert services[name]["profiles"] == ["dask"]
        assert "ports" not in services[name], f"{name}: the exact sums stay on its network"
        assert services[name].get("restart") == "unless-stopped", name  # exits on a loss
    for name, service in services.items():  # nothing outside the profile needs it
        if name not in in_dask:
            assert not in_dask & set(service.get("depends_on") or {}), name
    depends = services[DASK_WORKER]["depends_on"]
    assert depends[DASK_SCHEDULER] == {"condition": "service_healthy"}
    assert services[DASK_SCHEDULER]["healthcheck"]["test"]
    worker, dask_worker = environment(services["worker"]), environment(services[DASK_WORKER])
    for key in ("PRIVSIM_DATABASE_URL", "PRIVSIM_DATA_KEY", "PRIVSIM_ENVIRONMENT"):
        assert dask_worker[key] == worker[key], key  # its tasks read the workers' rows
    address = command_words(services[DASK_WORKER]["command"])[2]
    assert address.startswith(f"tcp://{DASK_SCHEDULER}:")
    scheduler = command_words(services[DASK_SCHEDULER]["command"])
    assert address.endswith(":" + scheduler[scheduler.index("--port") + 1])
    for name, service in services.items():
        env = service.get("environment") or {}
        if name in ("api", "worker"):  # passed through from the shell, unset without it
            assert "PRIVSIM_DASK_ADDRESS" in env, name
            assert env["PRIVSIM_DASK_ADDRESS"] is None, name
        else:
            assert "PRIVSIM_DASK_ADDRESS" not in env, name


def test_build_targets_are_dockerfile_stages(
        ours: dict[str, dict[str, Any]], stages: list[Stage]) -> None:
    names = {s.name for s in stages}
    for name, service in ours.items():
        build = service.get("build")
        if isinstance(build, dict):
            assert build.get("context", ".") == "."
            assert build.get("target", stages[-1].name) in names, name


def test_environment_names_only_settings(services: dict[str, dict[str, Any]]) -> None:
    fields = settings_fields()
    for name, service in services.items():
        for key in environment(service):
            if key.startswith("PRIVSIM_"):
                assert key in fields, f"{name}: {key} is not a field of app.settings.Settings"


def test_each_service_of_ours_has_valid_settings(
        ours: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """The values parse as Settings reads them (prod: so the data key is required)."""
    for name, service in ours.items():
        if name == DASK_SCHEDULER:
            assert not environment(service), "the scheduler reads no setting, holds no secret"
            continue
        values: dict[str, Any] = {"var_dir": tmp_path} | {
            k.removeprefix("PRIVSIM_").lower(): interpolate(v)
            for k, v in environment(service).items()
            if k.startswith("PRIVSIM_") and service["environment"][k] is not None}
        settings = Settings(_env_file=None, **values)
        assert settings.environment == "prod", name
        assert settings.database_url is not None, f"{name}: the default would be SQLite"
        assert normalise_url(settings.database_url).startswith("postgresql+psycopg://"), name
        if name == "api":
            assert settings.inprocess_workers == 0, "builds belong to the worker services"
            assert settings.inprocess_solver_workers == 0, "so do solve jobs"
            assert settings.bootstrap_admin_key is not None


def test_secrets_are_required_not_defaulted() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    found = {m["name"]: m["op"] for m in INTERPOLATION.finditer(text)}
    for secret in SECRETS:
        assert found.get(secret) == ":?", f"{secret} must be written ${{{secret}:?message}}"
    for name, op in found.items():
        if re.search(r"KEY|PASSWORD|SECRET|TOKEN", name):
            assert op == ":?", f"{name} must not have a default"


def test_api_port_is_the_image_port(
        services: dict[str, dict[str, Any]], final_stages: list[Stage]) -> None:
    api = command_words(services["api"]["command"])
    port = api[api.index("--port") + 1]
    published = [str(p).rsplit(":", 1)[-1] for p in services["api"]["ports"]]
    assert published == [port]
    exposed = {w.split("/")[0] for s in final_stages for rest in s.args("EXPOSE")
               for w in rest.split()}
    assert port in exposed


# ---- Dockerfile -----------------------------------------------------------------------


def test_copy_sources_exist_and_reach_the_build_context(stages: list[Stage]) -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    copied = 0
    for stage in stages:
        for keyword in ("COPY", "ADD"):
            for rest in stage.args(keyword):
                words = shlex.split(rest)
                if any(w.startswith("--from=") for w in words):
                    continue  # from another stage or image, not the repository
                for source in [w for w in words if not w.startswith("--")][:-1]:
                    matches = list(ROOT.glob(source))
                    assert matches, f"{keyword} {source}: not in the repository"
                    assert not dockerignore_excludes(source, patterns), \
                        f"{keyword} {source}: excluded by .dockerignore"
                    copied += 1
    assert copied


def test_every_shipped_package_is_copied(stages: list[Stage], pyproject: dict[str, Any]) -> None:
    includes = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.rstrip("*").rstrip(".") for p in includes} - NOT_SHIPPED
    for stage in stages:
        sources = {shlex.split(rest)[0].strip("/") for rest in stage.args("COPY")
                   if "--from=" not in rest}
        if "pyproject.toml" in sources:  # a stage that installs the project
            assert packages <= sources, f"{stage.name} leaves out {packages - sources}"


def test_final_images_run_as_a_non_root_user(
        stages: list[Stage], final_stages: list[Stage]) -> None:
    by_name = {s.name: s for s in stages}
    assert {s.name for s in final_stages} >= {stages[-1].name}
    for stage in final_stages:
        user, current = "", stage
        while True:  # USER carries over only from a stage this one is built on
            users = current.args("USER")
            if users:
                user = users[-1]
                break
            if current.base not in by_name:
                break
            current = by_name[current.base]
        assert user.split(":")[0] not in ("", "root", "0"), f"{stage.name} runs as root"


def base_by_default(base: str) -> str:
    """A stage's base with the Dockerfile's global ARG defaults put in (``docker build``
    without --build-arg): ``${PYTHON_IMAGE}`` is ``python:${PYTHON_VERSION}-slim``."""
    defaults = dict(re.findall(r"^ARG (\w+)=(\S+)$", (ROOT / "Dockerfile").read_text(),
                               flags=re.MULTILINE))
    for _ in range(3):  # defaults that name other ARGs
        base = re.sub(r"\$\{(\w+)\}", lambda m: defaults.get(m.group(1), m.group(0)), base)
    return base


def test_default_image_serves_on_port_8000(
        stages: list[Stage], pyproject: dict[str, Any]) -> None:
    default = stages[-1]
    assert re.fullmatch(r"python:[^:]*-slim", base_by_default(default.base))
    argv = command_words(default.args("CMD")[-1])
    assert argv == ["privsim", "serve", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104
    check_invocation(argv, privsim_scripts(pyproject))
    assert "8000" in default.args("EXPOSE")[-1].split()
    for stage in stages:
        if stage.args("CMD") and stage is not default:
            check_invocation(command_words(stage.args("CMD")[-1]), privsim_scripts(pyproject))


def test_var_dir_is_a_volume(final_stages: list[Stage]) -> None:
    fields = settings_fields()
    for stage in final_stages:
        env: dict[str, str] = {}
        for rest in stage.args("ENV"):
            env |= dict(word.split("=", 1) for word in shlex.split(rest))
        for key in env:
            if key.startswith("PRIVSIM_"):
                assert key in fields, f"{stage.name}: {key} is not a setting"
        volumes = [v for rest in stage.args("VOLUME") for v in command_words(rest)]
        assert env.get("PRIVSIM_VAR_DIR") in volumes, stage.name


def test_healthcheck_polls_a_route_of_the_app(final_stages: list[Stage], tmp_path: Path) -> None:
    checks = [rest for s in final_stages for rest in s.args("HEALTHCHECK")
              if rest.strip().upper() != "NONE"]
    assert checks, "the API image needs a HEALTHCHECK"
    settings = Settings(
        _env_file=None, environment="test", var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'health.db'}", data_key=new_data_key(),
        inprocess_workers=0, backend="cpu", log_format="text", log_level="WARNING")
    app = create_app(settings)  # built, never started: no lifespan, no database

    def routed(path: str) -> bool:
        # FastAPI includes routers lazily (app.routes lists them unexpanded), so ask each
        # route whether it would serve the request, as Starlette's router does
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "",
                 "headers": [], "app": app}
        return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)

    assert not routed("/no-such-path")
    for check in checks:
        match = re.search(r"\bCMD\s+(.*)$", check)
        assert match, check
        argv = command_words(match[1])
        assert argv[0] in ("python", "python3"), "the slim image has no curl"
        url = re.search(r"https?://[^/\s'\"]+:(\d+)(/[^\s'\")]*)", " ".join(argv))
        assert url, check
        assert url[1] == "8000"
        assert routed(url[2]), f"{url[2]} is not a route of app.main.create_app"
        assert url[2] == "/healthz"
