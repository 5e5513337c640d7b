"""The README's first session, in Python with privsim_client.

    PRIVSIM_URL=http://127.0.0.1:8000 PRIVSIM_API_KEY=psk_<admin key> \
        python clients/python/examples/first_session.py

With the admin key it creates an owner key; as the owner, a dataset of 3-d vectors in
the unit ball with a budget of epsilon = 2, four private rows, a Gaussian KDE structure
spending epsilon = 1; then it queries the mean kernel density at two points and reads
the ledger. Each step prints one line, ``name: <JSON>``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from privsim_client import Client


def show(name: str, value: Any) -> None:
    print(f"{name}: {json.dumps(value, default=str)}")


def main() -> None:
    url = os.environ.get("PRIVSIM_URL", "http://127.0.0.1:8000")
    with Client(url, os.environ["PRIVSIM_API_KEY"]) as admin:
        owner_key = admin.create_key("owner", "alice")
    show("owner", {"id": owner_key.id, "role": owner_key.role})

    with Client(url, owner_key.key) as owner:
        # a dataset of 3-d vectors in the unit ball, with a total budget of epsilon = 2
        dataset = owner.create_dataset("demo", 3, {"type": "l2_ball", "radius": 1},
                                       {"epsilon": 2})
        show("dataset", {"id": dataset.id, "dim": dataset.dim})

        # private rows, sent as .npy; rows outside the ball are clipped
        rows = np.array([[0.1, 0.2, 0.3], [0.3, -0.1, 0.2], [-0.2, 0.1, 0.4],
                         [0.8, 0.8, 0.8]])
        show("upload", owner.upload_rows(dataset.id, rows).to_dict())

        # build a Gaussian KDE structure, spending epsilon = 1 of the budget
        build = owner.build(dataset.id, "gaussian_kde", {"bandwidth": 0.5, "features": 1024},
                            {"epsilon": 1})
        job = owner.wait(build.job_id, poll_seconds=0.5)
        show("build", {"structure_id": build.structure_id, "job": job.status})

        # query: the mean kernel density at two points, each with the std of its noise
        points = np.array([[0, 0, 0], [0.2, 0.1, 0.3]])
        answer = owner.query(build.structure_id, points, reduce="mean")
        show("query", answer.to_dict())

        # what was spent, by which mechanism
        ledger = owner.ledger(dataset.id)
        show("budget", ledger.budget.epsilon.to_dict())
        show("entries", [{"entry": e.entry, "epsilon": e.epsilon,
                          "mechanism": e.mechanism.to_dict().get("mechanism")}
                         for e in ledger.entries])


if __name__ == "__main__":
    main()
