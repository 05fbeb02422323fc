#!/usr/bin/env bash
# Clusters the shipped dataset at 40% identity with cd-hit -> data/default/derived/clusters-cdhit40.tsv (id, cluster).
# The dataset authors withheld families as whole 40%-identity cd-hit clusters; these clusters give
# group k-fold splits that mimic that (a whole cluster is always on one side of a split).
# Usage: bash bench/make-clusters.sh   (needs cd-hit on PATH; Debian package cd-hit 4.8.1)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gunzip -c data/default/default.fasta.gz > "$tmp/in.fasta"
# -c 0.4 needs word length 2; -M 0 no memory cap; -d 0 keeps the whole header in .clstr.
cd-hit -i "$tmp/in.fasta" -o "$tmp/out" -c 0.4 -n 2 -M 0 -T 2 -d 0 > "$tmp/cd-hit.log"
out=data/default/derived/clusters-cdhit40.tsv
# .clstr lines: '>Cluster N' then '0\t345aa, >ncbi_WP_063842277.1|A... *'.
# The FASTA header's first word is 'ID|LABEL'; labels.tsv ids are the part before '|'.
awk 'BEGIN { OFS = "\t"; print "id", "cluster" }
  /^>Cluster / { c = $2; next }
  { s = $0; sub(/^.*>/, "", s); sub(/\.\.\..*$/, "", s); split(s, p, "|"); print p[1], c }' \
  "$tmp/out.clstr" > "$out"
n_ids=$(($(wc -l < "$out") - 1))
n_clusters=$(tail -n +2 "$out" | cut -f2 | sort -u | wc -l)
n_unique=$(tail -n +2 "$out" | cut -f1 | sort -u | wc -l)
if [ "$n_ids" -ne "$n_unique" ]; then echo "duplicate ids in $out" >&2; exit 1; fi
echo "wrote $out: $n_ids proteins in $n_clusters clusters ($(cd-hit -h 2>&1 | grep -o 'CD-HIT version [0-9.]*' | head -1))" >&2
