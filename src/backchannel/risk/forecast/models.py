"""The risk models: our ensemble and a re-implementation of EWP's elastic net.

Both learn from the same predictors and target, so the backtest isolates modelling gains.
Each fitted model gives probabilities and per-country feature contributions in log-odds
(coefficient x standardised value for the linear model, LightGBM's ``pred_contrib`` for the
trees), which the country table turns into plain-words drivers.

Hyperparameters are fixed constants here, not tuned at each cut-off; the README says how
they were chosen.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Protocol

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

RANDOM_SEED = 20250903


class FittedRiskModel(Protocol):
    """A model fitted at one cut-off."""

    def predict_risk(self, predictors: pd.DataFrame) -> np.ndarray:
        """Probability of an onset in the next one or two years, per row."""
        ...

    def contributions(self, predictors: pd.DataFrame) -> pd.DataFrame:
        """Per-row, per-predictor contribution to the log-odds of risk."""
        ...


class RiskModel(Protocol):
    """Something the protocol can fit at each cut-off."""

    @property
    def name(self) -> str:
        """The source name the backtest reports it under."""
        ...

    def fit(self, predictors: pd.DataFrame, target: np.ndarray) -> FittedRiskModel:
        """Learn from country-years; returns the fitted model (the recipe stays unchanged)."""
        ...


@dataclass(frozen=True)
class FittedLinear:
    """A standardised logistic model."""

    scaler: StandardScaler
    classifier: LogisticRegression | LogisticRegressionCV
    columns: tuple[str, ...]

    def predict_risk(self, predictors: pd.DataFrame) -> np.ndarray:
        """Probability of an onset."""
        scaled = self.scaler.transform(predictors[list(self.columns)].to_numpy(dtype=float))
        return np.asarray(self.classifier.predict_proba(scaled)[:, 1])

    def contributions(self, predictors: pd.DataFrame) -> pd.DataFrame:
        """Coefficient x standardised value, per predictor."""
        scaled = self.scaler.transform(predictors[list(self.columns)].to_numpy(dtype=float))
        return pd.DataFrame(
            scaled * self.classifier.coef_[0], columns=list(self.columns), index=predictors.index
        )

    @property
    def coefficients(self) -> dict[str, float]:
        """Coefficients on the standardised predictors."""
        return dict(zip(self.columns, map(float, self.classifier.coef_[0]), strict=True))


def _standardise(predictors: pd.DataFrame) -> tuple[StandardScaler, np.ndarray]:
    scaler = StandardScaler()
    return scaler, scaler.fit_transform(predictors.to_numpy(dtype=float))


@dataclass(frozen=True)
class EwpElasticNet:
    """Our re-implementation of EWP's model: elastic-net logistic regression, alpha 0.5.

    EWP fits glmnet with alpha = 0.5 and keeps lambda.min from cross-validation on the
    training years. Here: standardised predictors, L1 ratio 0.5, the inverse penalty C
    chosen by stratified 5-fold cross-validated log loss on the training years only.
    """

    name: str = "ewp_reimplemented"
    penalties: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3)
    folds: int = 5

    def fit(self, predictors: pd.DataFrame, target: np.ndarray) -> FittedLinear:
        """Fit with the penalty chosen by cross-validation inside the training years."""
        scaler, scaled = _standardise(predictors)
        classifier = LogisticRegressionCV(
            Cs=list(self.penalties),
            l1_ratios=[0.5],
            penalty="elasticnet",
            solver="saga",
            cv=StratifiedKFold(self.folds, shuffle=True, random_state=RANDOM_SEED),
            scoring="neg_log_loss",
            max_iter=1000,
            tol=1e-3,
            n_jobs=2,
            random_state=RANDOM_SEED,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", FutureWarning)
            classifier.fit(scaled, target)
        return FittedLinear(scaler, classifier, tuple(predictors.columns))


@dataclass(frozen=True)
class FittedEnsemble:
    """Equal-weight average of a linear model's and a boosted-stumps model's probabilities."""

    linear: FittedLinear
    stumps: lgb.LGBMClassifier
    columns: tuple[str, ...]

    def predict_risk(self, predictors: pd.DataFrame) -> np.ndarray:
        """Mean of the two members' probabilities."""
        boosted = np.asarray(
            self.stumps.predict_proba(predictors[list(self.columns)].to_numpy(dtype=float))
        )
        return np.asarray((self.linear.predict_risk(predictors) + boosted[:, 1]) / 2)

    def contributions(self, predictors: pd.DataFrame) -> pd.DataFrame:
        """Mean of the members' log-odds contributions (an approximation for the mixture)."""
        tree = self.stumps.predict_proba(
            predictors[list(self.columns)].to_numpy(dtype=float), pred_contrib=True
        )
        tree_frame = pd.DataFrame(
            np.asarray(tree)[:, :-1], columns=list(self.columns), index=predictors.index
        )
        return (self.linear.contributions(predictors) + tree_frame) / 2


@dataclass(frozen=True)
class StumpEnsemble:
    """Our model: elastic-net logistic regression averaged with gradient-boosted stumps.

    The linear member carries the smooth, additive structure EWP found; the stumps (trees
    of depth one, so still additive) pick up thresholds and non-linear effects of single
    predictors without learning interactions from 40-odd onsets.
    """

    name: str = "ours"
    linear_penalty: float = 0.03
    trees: int = 300
    learning_rate: float = 0.02
    min_rows_per_leaf: int = 40

    def fit(self, predictors: pd.DataFrame, target: np.ndarray) -> FittedEnsemble:
        """Fit both members on the same training years."""
        scaler, scaled = _standardise(predictors)
        linear = LogisticRegression(
            penalty="elasticnet",
            solver="saga",
            l1_ratio=0.5,
            C=self.linear_penalty,
            max_iter=3000,
            random_state=RANDOM_SEED,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", FutureWarning)
            linear.fit(scaled, target)
        stumps = lgb.LGBMClassifier(
            n_estimators=self.trees,
            learning_rate=self.learning_rate,
            num_leaves=2,
            min_child_samples=self.min_rows_per_leaf,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.7,
            reg_lambda=5.0,
            random_state=RANDOM_SEED,
            n_jobs=2,
            verbose=-1,
        )
        stumps.fit(predictors.to_numpy(dtype=float), target)
        columns = tuple(predictors.columns)
        return FittedEnsemble(FittedLinear(scaler, linear, columns), stumps, columns)
