"""Load the iris flowers and split them into a training and a test set.

Run parameters (environment): TEST_SIZE, the share kept for testing, and
SEED, for the shuffle. Writes data/train.csv and data/test.csv.
"""
import os

import pandas as pd
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

test_size = float(os.environ.get("TEST_SIZE", "0.3"))
seed = int(os.environ.get("SEED", "7"))

iris = load_iris(as_frame=True)
frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
frame["species"] = frame["target"].map(dict(enumerate(iris.target_names)))
train, test = train_test_split(frame, test_size=test_size, random_state=seed,
                               stratify=frame["species"])
os.makedirs("data", exist_ok=True)
train.to_csv("data/train.csv", index=False)
test.to_csv("data/test.csv", index=False)
print(f"loaded {len(frame)} flowers: {len(train)} to train, {len(test)} to test")
