"""`rasa` with Python's and NumPy's random generators seeded first.

Rasa 3.6 splits the data for `rasa test nlu --cross-validation` with scikit-learn's
StratifiedKFold(shuffle=True) and no seed, so every run gets other folds and the macro F1
moves by about a hundredth from run to run. `make eval` gates on that figure, so it runs
Rasa through this module: the same data always gets the same folds, and a changed figure
means changed data, config or code. The seed is fixed, never chosen per run.

    python -m ops.rasa_seeded test nlu --cross-validation ...
"""

from __future__ import annotations

import random
import sys

FOLD_SEED = 2026  # the DIETClassifier's random_seed in config.yml


def seed() -> None:
    import numpy

    random.seed(FOLD_SEED)
    numpy.random.seed(FOLD_SEED)


def main() -> None:
    seed()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
