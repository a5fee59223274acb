"""Evaluate the trained tree on the test set, for people and for KFP.

Writes metrics/report.md, mlpipeline-metrics.json (accuracy, shown in the
KFP run list) and mlpipeline-ui-metadata.json (a markdown summary and the
confusion matrix as a table, shown in the KFP UI).
"""
import json
import os
import pickle

import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix

with open("model/tree.pkl", "rb") as f:
    saved = pickle.load(f)
model, features = saved["model"], saved["features"]
test = pd.read_csv("data/test.csv")
predicted = model.predict(test[features])
accuracy = accuracy_score(test["species"], predicted)
labels = sorted(test["species"].unique())
matrix = confusion_matrix(test["species"], predicted, labels=labels)

print(f"max_depth={saved['max_depth']}: test accuracy {accuracy:.3f}")
rows = [f"| {a} | " + " | ".join(str(n) for n in row) + " |" for a, row in zip(labels, matrix)]
report = "\n".join([
    f"## Iris decision tree (max_depth={saved['max_depth']})",
    "",
    f"Test accuracy: **{accuracy:.3f}** on {len(test)} flowers.",
    "",
    "| actual \\ predicted | " + " | ".join(labels) + " |",
    "|---" * (len(labels) + 1) + "|",
] + rows)
os.makedirs("metrics", exist_ok=True)
with open("metrics/report.md", "w") as f:
    f.write(report + "\n")

with open("mlpipeline-metrics.json", "w") as f:
    json.dump({"metrics": [{"name": "accuracy", "numberValue": round(accuracy, 4),
                            "format": "PERCENTAGE"}]}, f)
table = "\n".join(f"{a},{p},{matrix[i][j]}" for i, a in enumerate(labels)
                  for j, p in enumerate(labels))
with open("mlpipeline-ui-metadata.json", "w") as f:
    json.dump({"outputs": [
        {"type": "markdown", "storage": "inline", "source": report},
        {"type": "table", "storage": "inline", "format": "csv",
         "header": ["actual", "predicted", "count"], "source": table},
    ]}, f)
