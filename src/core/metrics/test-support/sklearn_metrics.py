"""Reference values from scikit-learn for the metrics agreement test (run by ../sklearn-agreement.test.ts).

Reads {"problems": [...]} as JSON on stdin; writes one result object per problem as JSON on stdout.
NaN becomes null and a metric sklearn refuses to compute (ValueError) is null.
"""
import json
import math
import sys

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    log_loss,
    matthews_corrcoef,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)

try:
    from scipy.optimize import minimize_scalar
    from scipy.special import softmax
except ImportError:  # the temperature reference is optional
    minimize_scalar = None
    softmax = None


def clean(value):
    """Plain JSON: lists of floats, NaN as None, +-inf as strings."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return value


def attempt(fn):
    try:
        return fn()
    except ValueError:
        return None


def prf(y, p, labels, average, **kw):
    r = precision_recall_fscore_support(
        y, p, labels=labels, average=average, zero_division=0, **kw
    )
    return {"precision": r[0], "recall": r[1], "f1": r[2], "support": r[3]}


def binary_curves(yb, s):
    fpr, tpr, thr = roc_curve(yb, s)
    prec, rec, pthr = precision_recall_curve(yb, s)
    return {
        "roc": {"fpr": fpr, "tpr": tpr, "thresholds": thr},
        "auc": attempt(lambda: roc_auc_score(yb, s)),
        "pr": {"precision": prec, "recall": rec, "thresholds": pthr},
        "ap": average_precision_score(yb, s),
    }


def solve(pb):
    k = pb["k"]
    labels = list(range(k))
    y = np.array(pb["yTrue"], dtype=np.int64)
    p = np.array(pb["yPred"], dtype=np.int64)
    probs = np.array(pb["probs"], dtype=np.float64).reshape(-1, k)
    out = {
        "confusion": confusion_matrix(y, p, labels=labels),
        "accuracy": accuracy_score(y, p),
        "mcc": matthews_corrcoef(y, p),
        "perClass": prf(y, p, labels, None),
        "macro": prf(y, p, labels, "macro"),
        "weighted": prf(y, p, labels, "weighted"),
        "logLoss": log_loss(y, probs, labels=labels),
    }
    if k == 2:
        out["binary"] = prf(y, p, labels, "binary", pos_label=1)
        out["curves"] = [binary_curves(y, probs[:, 1])]
        out["calibration"] = calibration_curve(y, probs[:, 1], n_bins=pb["nBins"])
    else:
        out["curves"] = [binary_curves((y == c).astype(np.int64), probs[:, c]) for c in labels]
        out["ovrMacroAuc"] = attempt(
            lambda: roc_auc_score(y, probs, multi_class="ovr", average="macro", labels=labels)
        )
        out["calibration"] = calibration_curve(
            (y == 0).astype(np.int64), probs[:, 0], n_bins=pb["nBins"]
        )
    if softmax is not None:
        logits = np.array(pb["logits"], dtype=np.float64).reshape(-1, k)
        t = pb["temperature"]
        out["logLossAtT"] = log_loss(y, softmax(logits / t, axis=1), labels=labels)

        def nll(log_t):
            z = logits / math.exp(log_t)
            z = z - z.max(axis=1, keepdims=True)
            lse = np.log(np.exp(z).sum(axis=1))
            return float(np.mean(lse - z[np.arange(len(y)), y]))

        res = minimize_scalar(
            nll, bounds=(math.log(0.01), math.log(100)), method="bounded",
            options={"xatol": 1e-10},
        )
        out["fittedT"] = math.exp(res.x)
        out["fittedNll"] = res.fun
    out["clean"] = True
    return out


def main():
    request = json.load(sys.stdin)
    results = [solve(pb) for pb in request["problems"]]
    json.dump({"sklearn": sklearn.__version__, "results": clean(results)}, sys.stdout)


if __name__ == "__main__":
    main()
