#!/usr/bin/env python3
"""Bench: a training run's test split through the real `arginator predict` next to DIAMOND's best hit,
with hard-negative false positives and the <40%-identity subset (DIAMOND --sensitive identity).

Run: npm run build && python3 bench/split-detail.py RUN_DIR   (ARGINATOR_HOME = the run's data directory)
"""
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARD = {"amr_hardneg", "hardneg_pbp_ddpeptidase", "hardneg_mbl_fold"}


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0


def macro_f1(pred, subset) -> float:
    """Mean F1 over the classes present in the subset's true labels (as bench/train-quality.ts)."""
    classes = sorted({lab_of[i] for i in subset})
    scores = []
    for c in classes:
        tp = sum(pred[i] == c and lab_of[i] == c for i in subset)
        fp = sum(pred[i] == c and lab_of[i] != c for i in subset)
        fn = sum(pred[i] != c and lab_of[i] == c for i in subset)
        scores.append(f1(tp, fp, fn))
    return sum(scores) / max(len(scores), 1)


def binary_f1(pred, subset) -> float:
    """F1 of the call "beta-lactamase" (any class but NBL)."""
    tp = sum(pred[i] != "NBL" and lab_of[i] != "NBL" for i in subset)
    fp = sum(pred[i] != "NBL" and lab_of[i] == "NBL" for i in subset)
    fn = sum(pred[i] == "NBL" and lab_of[i] != "NBL" for i in subset)
    return f1(tp, fp, fn)


lab_of: dict = {}


def main(run_dir: str) -> None:
    split = json.load(open(os.path.join(run_dir, "split.json")))
    seqs, cur = {}, None
    for line in gzip.open(os.path.join(ROOT, "data/default/default.fasta.gz"), "rt"):
        if line.startswith(">"):
            cur = line[1:].split()[0].split("|")[0]
            seqs[cur] = ""
        else:
            seqs[cur] += line.strip()
    lab, grp = {}, {}
    for row in csv.DictReader(open(os.path.join(ROOT, "data/default/labels.tsv")), delimiter="\t"):
        lab[row["id"]], grp[row["id"]] = row["label"], row["group"]
    lab_of.update(lab)
    work = tempfile.mkdtemp(prefix="split-detail-")
    for side in ("train", "test"):
        with open(os.path.join(work, f"{side}.faa"), "w") as f:
            f.writelines(f">{i}\n{seqs[i]}\n" for i in split[side])
    test, train = os.path.join(work, "test.faa"), os.path.join(work, "train.faa")
    pred_csv = os.path.join(work, "pred.csv")
    subprocess.run(["node", os.path.join(ROOT, "dist/cli/bin.js"), "predict", test, "--out", pred_csv, "--quiet"], check=True)
    ours = {r["protein_id"]: r["predicted_label"] for r in csv.DictReader(open(pred_csv))}
    subprocess.run(["diamond", "makedb", "--in", train, "--db", os.path.join(work, "train"), "--quiet"], check=True)

    def best_hits(flags):
        out = os.path.join(work, "hits.tsv")
        subprocess.run(["diamond", "blastp", "-q", test, "-d", os.path.join(work, "train"), "-o", out,
                        "--threads", "2", "-k", "1", "-e", "1e-3", "--outfmt", "6", "qseqid", "sseqid",
                        "pident", "bitscore", "--quiet", *flags], check=True)
        hits = {}
        for line in open(out):
            q, t, pid, bits = line.rstrip("\n").split("\t")
            if q not in hits or float(bits) > hits[q][1]:
                hits[q] = (t, float(bits), float(pid))
        return hits

    default, sensitive = best_hits([]), best_hits(["--sensitive"])
    ids = list(ours)
    diamond = {i: lab[default[i][0]] if i in default else "NBL" for i in ids}
    low = [i for i in ids if not (i in sensitive and sensitive[i][2] >= 40)]

    def report(pred, subset):
        hard = [i for i in subset if grp[i] in HARD]
        bl = [i for i in subset if lab[i] != "NBL"]
        errors = sum(pred[i] != lab[i] for i in subset)
        fp = sum(pred[i] != "NBL" for i in hard)
        acc = sum(pred[i] == lab[i] for i in bl) / max(len(bl), 1)
        return f"{errors}/{len(subset)} | {macro_f1(pred, subset):.4f} | {binary_f1(pred, subset):.4f} | {fp}/{len(hard)} | {acc:.4f} ({len(bl)})"

    print("| method | all: errors | macro-F1 | bin-F1 | hard-neg FP | BL class acc (n BL) "
          "| <40%: errors | macro-F1 | bin-F1 | hard-neg FP | BL class acc (n BL) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| arginator predict | {report(ours, ids)} | {report(ours, low)} |")
    print(f"| DIAMOND best hit (default) | {report(diamond, ids)} | {report(diamond, low)} |")
    print("errors, ours:", [(i, lab[i], ours[i]) for i in ids if ours[i] != lab[i]])
    print("errors, DIAMOND:", [(i, lab[i], diamond[i]) for i in ids if diamond[i] != lab[i]])


if __name__ == "__main__":
    main(sys.argv[1])
