# Prints the sklearn/scipy reference values pinned in gaussian-process.test.ts and distributions.test.ts.
# Run: /usr/bin/python3 src/core/sweep/test-support/gp-reference.py
import json
import numpy as np
from scipy import stats
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import Matern

X = np.array([[0.1, 0.2], [0.4, 0.9], [0.8, 0.3], [0.5, 0.5]])
y = np.array([1.0, -0.5, 0.3, 2.0])
Q = np.array([[0.3, 0.3], [0.9, 0.9]])
out = {}
fixed = GaussianProcessRegressor(kernel=Matern(length_scale=0.7, nu=1.5), alpha=1e-7, optimizer=None).fit(X, y)
m, s = fixed.predict(Q, return_std=True)
out["fixed"] = {"mean": m.tolist(), "std": s.tolist(), "lml": fixed.log_marginal_likelihood_value_}
fitted = GaussianProcessRegressor(kernel=Matern(nu=1.5), alpha=1e-7, n_restarts_optimizer=2, random_state=2).fit(X, y)
m, s = fitted.predict(Q, return_std=True)
out["fitted"] = {"length_scale": float(fitted.kernel_.length_scale), "mean": m.tolist(), "std": s.tolist(), "lml": fitted.log_marginal_likelihood_value_}
out["norm"] = {"ppf": [float(stats.norm.ppf(p)) for p in (0.001, 0.025, 0.3, 0.5, 0.9, 0.999)], "cdf": [float(stats.norm.cdf(v)) for v in (-3.0, -1.2, 0.0, 0.7, 2.5)]}
out["lognorm_ppf"] = float(stats.lognorm.ppf(0.8, s=0.5, scale=np.exp(-2.0)))
print(json.dumps(out, indent=1))
