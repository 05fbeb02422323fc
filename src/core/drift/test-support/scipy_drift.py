"""Reference values for ARGinator's drift statistics, from scipy (Debian python3-scipy).

Reads a JSON list of requests on stdin and writes a JSON list of answers on stdout.
Each request: {"op": "ks" | "wasserstein" | "wasserstein_norm" | "chisquare" | "jensenshannon" | "entropy", ...}.
"""
import json
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def chisquare_evidently(reference, current):
    # Evidently's chi-square: current counts against reference counts scaled to the current size.
    keys = sorted(set(reference) | set(current))
    k_norm = len(current) / len(reference)
    f_exp = [reference.count(k) * k_norm for k in keys]
    f_obs = [current.count(k) for k in keys]
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic, p_value = stats.chisquare(f_obs, f_exp)
    return {"statistic": float(statistic), "pValue": float(p_value)}


def answer(req):
    op = req["op"]
    if op == "ks":
        r = stats.ks_2samp(np.asarray(req["a"]), np.asarray(req["b"]))
        return {"statistic": float(r.statistic), "pValue": float(r.pvalue)}
    if op == "wasserstein":
        return {"distance": float(stats.wasserstein_distance(req["a"], req["b"]))}
    if op == "wasserstein_norm":
        ref = np.asarray(req["a"])
        value = stats.wasserstein_distance(ref, req["b"]) / max(np.std(ref), 0.001)
        return {"distance": float(value)}
    if op == "chisquare":
        return chisquare_evidently(req["a"], req["b"])
    if op == "jensenshannon":
        return {"distance": float(distance.jensenshannon(req["p"], req["q"]))}
    if op == "entropy":
        rows = np.asarray(req["rows"], dtype=np.float64)
        out = []
        for emb in rows:
            a = np.abs(emb)
            out.append(float(stats.entropy(a / (np.sum(a) + 1e-10))))
        return {"entropy": out}
    raise ValueError(f"unknown op {op}")


def main():
    requests = json.load(sys.stdin)
    json.dump([answer(r) for r in requests], sys.stdout)


if __name__ == "__main__":
    main()
