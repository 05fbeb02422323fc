"""Replays the original Streamlit frontend's HTTP calls (frontend.py) with requests, minus Streamlit.

Usage: original_frontend_client.py BACKEND_URL FASTA_PATH CLASSIFICATION_TYPE POLL_SECONDS
Prints one JSON object: what the frontend would have shown. Exits non-zero where the frontend
would have shown an error or waited forever (a failed job: frontend.py never stops polling).
"""

import json
import os
import sys
import time

import requests

backend_url, fasta_path, class_type, poll_seconds = sys.argv[1:5]
deadline = time.monotonic() + 60

with open(fasta_path, "rb") as f:
    content = f.read()

# 1. SUBMIT JOB, exactly as frontend.py builds the request.
files = {"file": (os.path.basename(fasta_path), content, "text/plain")}
data = {"classification_type": class_type}
submit_response = requests.post(f"{backend_url}/submit_job", files=files, data=data)
if submit_response.status_code != 200:
    sys.exit(f"Failed to submit job: {submit_response.text}")
submitted = submit_response.json()
job_id = submitted.get("job_id")

# 2. POLL FOR STATUS: frontend.py reads status and progress and hands progress to st.progress,
# which accepts an int in 0..100 (or a float in 0.0..1.0) and raises otherwise.
seen = []
while True:
    if time.monotonic() > deadline:
        sys.exit(f"the job did not complete in 60 s; last status: {seen[-1:]}")
    status_res = requests.get(f"{backend_url}/status/{job_id}")
    if status_res.status_code == 200:
        job_data = status_res.json()
        status = job_data.get("status")
        progress = job_data.get("progress", 0)
        if not (type(progress) is int and 0 <= progress <= 100):
            sys.exit(f"st.progress would reject progress={progress!r}")
        seen.append({"status": status, "progress": progress, "keys": sorted(job_data)})
        if status == "failed":
            sys.exit(f"the job failed (frontend.py would poll forever): {job_data}")
        if status == "completed":
            plot_response = requests.get(f"{backend_url}/download_plot/{job_id}")
            result = job_data.get("result", {})
            preview = None
            if "preview" in result:
                # pandas.DataFrame(result["preview"]) takes a dict of columns, each a dict of
                # row index -> value; every column must have the same index for a rectangle.
                preview = result["preview"]
                indexes = {tuple(column) for column in preview.values()}
                if not isinstance(preview, dict) or len(indexes) > 1:
                    sys.exit(f"pandas.DataFrame would not make a table of {preview!r}")
            download_res = requests.get(f"{backend_url}/download/{job_id}")
            break
    time.sleep(float(poll_seconds))

json.dump(
    {
        "submitted": submitted,
        "statuses": seen,
        "final": job_data,
        "plot": {
            "status_code": plot_response.status_code,
            "content_type": plot_response.headers.get("content-type"),
            "png_signature": plot_response.content[:8].hex(),
        },
        "preview": preview,
        "download": {
            "status_code": download_res.status_code,
            "content_type": download_res.headers.get("content-type"),
            "content_disposition": download_res.headers.get("content-disposition"),
            "text": download_res.content.decode("utf-8"),
        },
    },
    sys.stdout,
)
