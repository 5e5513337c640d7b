"""Diagnostics from public inputs only (spend nothing): the bandwidth advisor.

    advice = advise(n=5000, dim=32, bandwidth=2.8, spectrum=[2.25] * 32,
                    budget=PrivacyBudget(1.0, 1e-6), features=4000)
    advice.regime, advice.bandwidth_g, advice.snr

Derivation: docs/bandwidth.md.
"""

from core.diagnostics.bandwidth import (
    BandwidthAdvice,
    Regime,
    advise,
    alpha,
    alpha_clt,
    alpha_g,
    extreme_value_warning,
    h_clt,
    h_g,
    log_typical_sum,
    noise_std_sum,
    proxy_spectrum,
    regime,
    spec_warning,
)

__all__ = [
    "BandwidthAdvice", "Regime", "advise", "alpha", "alpha_clt", "alpha_g",
    "extreme_value_warning", "h_clt", "h_g", "log_typical_sum", "noise_std_sum",
    "proxy_spectrum", "regime", "spec_warning",
]
