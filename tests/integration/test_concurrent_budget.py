"""50 concurrent build requests against a budget that admits exactly 10, on a real
server over HTTP, on PostgreSQL and on SQLite: exactly 10 succeed, the ledger holds 10
spends, and the budget is spent to the last unit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.helpers import unit_ball_rows
from tests.live import server, service_env

HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


async def _fire(base: str, dataset_id: str, n: int) -> list[int]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=60,
                                 limits=limits) as client:
        async def one() -> int:
            r = await client.post(f"/v1/datasets/{dataset_id}/structures", json={
                "kind": "inner_product", "params": {}, "privacy": {"epsilon": 0.1}})
            return r.status_code

        return list(await asyncio.gather(*(one() for _ in range(n))))


def test_exactly_ten_of_fifty_succeed(db_url: str, tmp_path: Path) -> None:
    upgrade(db_url)
    with server(service_env(db_url, tmp_path / "var"), tmp_path / "server.log") as base:
        r = httpx.post(f"{base}/v1/datasets", headers=HEADERS, json={
            "name": "race", "dim": 3, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 1.0}})
        dataset_id = r.json()["id"]
        httpx.post(f"{base}/v1/datasets/{dataset_id}/rows", headers=HEADERS,
                   json={"rows": unit_ball_rows(10, 3).tolist()}).raise_for_status()
        statuses = asyncio.run(_fire(base, dataset_id, 50))
        assert sorted(set(statuses)) == [202, 409], statuses
        assert statuses.count(202) == 10
        ledger = httpx.get(f"{base}/v1/datasets/{dataset_id}/ledger", headers=HEADERS).json()
        assert len(ledger["entries"]) == 10
        assert ledger["budget"]["epsilon"] == {"total": 1.0, "spent": 1.0, "remaining": 0.0}
        structures = httpx.get(f"{base}/v1/structures", headers=HEADERS).json()["structures"]
        assert len(structures) == 10
