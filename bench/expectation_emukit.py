"""Offline check of DP expectations (docs/expectation.md) against emukit's Bayesian
quadrature. Not run by CI: emukit 0.5.1 and GPy are no dependencies of the project.

    python3.11 -m venv /tmp/emuenv
    /tmp/emuenv/bin/pip install emukit==0.5.1 GPy "opendp>=0.12" "array-api-compat>=1.9" mpmath
    PYTHONPATH=. /tmp/emuenv/bin/python bench/expectation_emukit.py
    .venv/bin/python -m bench.expectation_emukit --draws 30    # the noise-draw table only


The case: E[cos X1 + cos X2] under N(0, I_2), 2 e^{-1/2} in closed form, with nodes on a
uniform 13 x 13 grid over [-3, 3]^2 and privsim's Gaussian kernel exp(-||x - y||^2 / h^2),
h = 1 (GPy's RBF with lengthscale h / sqrt 2). emukit's VanillaBayesianQuadrature with
QuadratureRBFGaussianMeasure answers z^T (K + 1e-10 I)^-1 g(Y), z the kernel's mean
embedding under the measure; privsim's kernel_quadrature is given the same z (in closed
form) and the kernel matrix from gaussian_kde's own brute force, at the same ridge. Then
the DP side: a gaussian_kde structure on 20,000 rows from N(0, I_2) at epsilon 1, with
the release's kernel and the ridge chosen from the noise, against the rows' exact mean.

``--draws N`` (no emukit needed) prints the table of docs/expectation.md section 6
instead: per structure, N noise draws of one build (the exact sums formed once), the
estimate with the ridge chosen from the noise, at the floor (1e-14) and with the exact
kernel, against the rows' mean.
"""

from __future__ import annotations

import argparse
import math
import platform
from typing import Any

import numpy as np

from core.domain import Box
from core.kinds import kind_def
from core.models.expectation import kernel_expectation, kernel_quadrature
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, build_release, noise_plan, parse_spec

BANDWIDTH = 1.0
NOISE = 1e-10  # emukit's noise-free GP: its Gaussian noise variance is fixed at 1e-10


def g(Y: np.ndarray) -> np.ndarray:
    return np.asarray(np.cos(Y[:, 0]) + np.cos(Y[:, 1]))


def emukit_check() -> None:
    import GPy
    from emukit.model_wrappers.gpy_quadrature_wrappers import BaseGaussianProcessGPy, RBFGPy
    from emukit.quadrature.kernels import QuadratureRBFGaussianMeasure
    from emukit.quadrature.measures import GaussianMeasure
    from emukit.quadrature.methods import VanillaBayesianQuadrature

    grid = np.linspace(-3.0, 3.0, 13)
    Y = np.array([[a, b] for a in grid for b in grid])
    M, d = Y.shape
    closed = 2.0 * math.exp(-0.5)

    lengthscale2 = BANDWIDTH**2 / 2.0
    gpy = GPy.models.GPRegression(Y, g(Y)[:, None], GPy.kern.RBF(
        input_dim=d, lengthscale=math.sqrt(lengthscale2), variance=1.0))
    measure = GaussianMeasure(mean=np.zeros(d), variance=1.0)
    base = BaseGaussianProcessGPy(kern=QuadratureRBFGaussianMeasure(RBFGPy(gpy.kern), measure),
                                  gpy_model=gpy)
    emukit_mean, emukit_var = VanillaBayesianQuadrature(base_gp=base, X=Y,
                                                        Y=g(Y)[:, None]).integrate()

    data = DataSpec(d, Box.uniform(-6.0, 6.0, d), "add_remove")
    spec = parse_spec("gaussian_kde", {"bandwidth": BANDWIDTH, "features": 1024}, data)
    reference = kind_def("gaussian_kde").reference
    K = np.column_stack([reference(spec, Y[j:j + 1], Y) for j in range(M)])
    # the Gaussian kernel's mean embedding under N(0, I): (l^2 / (l^2 + 1))^{d/2}
    # exp(-||y||^2 / (2 (l^2 + 1))), l^2 = h^2 / 2
    z = ((lengthscale2 / (lengthscale2 + 1.0)) ** (d / 2)
         * np.exp(-np.sum(Y * Y, axis=1) / (2.0 * (lengthscale2 + 1.0))))
    privsim = kernel_quadrature(K, z, g(Y), ridge=NOISE / M).value

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, d))
    release = build_release(spec, seed=1, plan=noise_plan(spec, PrivacyBudget(1.0)),
                            chunks=[X])
    dp = kernel_expectation(release, spec, Y, g(Y))

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}, numpy {np.__version__}, GPy {GPy.__version__}")
    print(f"closed form 2 e^(-1/2)                    {closed:.7f}")
    print(f"emukit VanillaBayesianQuadrature          {emukit_mean:.7f} "
          f"(posterior std {math.sqrt(max(emukit_var, 0.0)):.2e})")
    print(f"privsim kernel_quadrature, exact z        {privsim:.7f} "
          f"(|privsim - emukit| = {abs(privsim - emukit_mean):.1e})")
    print(f"rows' mean of g (20,000 draws)            {float(np.mean(g(X))):.7f}")
    print(f"privsim DP, gaussian_kde epsilon 1        {dp.value:.7f} (std {dp.std:.4f}, "
          f"ridge {dp.ridge:.2e}, kernel {dp.kernel})")
    print(f"naive average of g over the nodes         {float(np.mean(g(Y))):.7f}")


CASES: list[tuple[str, dict[str, Any], float, float]] = [
    ("gaussian_kde", {"features": 1024, "mechanism": "laplace"}, 1.0, 0.0),
    ("gaussian_kde", {"features": 1024, "mechanism": "gaussian"}, 1.0, 1e-6),
    ("gaussian_kde", {"features": 1024, "mechanism": "gaussian"}, 0.1, 1e-6),
    ("gaussian_kde", {"features": 1024, "mechanism": "gaussian"}, 0.01, 1e-6),
    ("exponential_kde", {"features": 1024, "mechanism": "laplace"}, 1.0, 0.0),
    ("cauchy_kde", {"features": 256, "mechanism": "laplace"}, 1.0, 0.0),
]


def draws_table(draws: int) -> None:
    grid = np.linspace(-3.0, 3.0, 13)
    Y = np.array([[a, b] for a in grid for b in grid])
    X = np.random.default_rng(0).normal(size=(20_000, 2))
    exact = float(np.mean(g(X)))
    data = DataSpec(2, Box.uniform(-6.0, 6.0, 2), "add_remove")
    print("| kind, features | epsilon, mechanism | ridge | reported std | spread | rule: bias,"
          " rmse | floor rmse | exact kernel rmse |")
    for kind, params, epsilon, delta in CASES:
        spec = parse_spec(kind, {"bandwidth": BANDWIDTH} | params, data)
        plan = noise_plan(spec, PrivacyBudget(epsilon, delta))
        builder = spec.builder(1)
        totals = {k: np.asarray(v) for k, v in
                  builder.accumulate(data.domain.clip(X)).items()}
        rule, floor, other, stds, ridges = [], [], [], [], []
        for _ in range(draws):
            release = builder.finish(plan.apply(totals), plan)
            result = kernel_expectation(release, spec, Y, g(Y))
            rule.append(result.value)
            stds.append(result.std)
            ridges.append(result.ridge)
            floor.append(kernel_expectation(release, spec, Y, g(Y), ridge=1e-14).value)
            other.append(kernel_expectation(release, spec, Y, g(Y), kernel="exact").value)

        def rmse(values: list[float]) -> float:
            return float(np.sqrt(np.mean((np.array(values) - exact) ** 2)))

        print(f"| {kind}, {params['features']} | {epsilon:g}, {params['mechanism']} | "
              f"{np.mean(ridges):.2g} | {np.mean(stds):.4f} | {np.std(rule):.4f} | "
              f"{np.mean(rule) - exact:+.4f}, {rmse(rule):.4f} | {rmse(floor):.4f} | "
              f"{rmse(other):.4f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=0,
                        help="print the noise-draw table with this many draws per row "
                        "instead of the emukit check")
    args = parser.parse_args()
    if args.draws:
        draws_table(args.draws)
    else:
        emukit_check()


if __name__ == "__main__":
    main()
