# Reference server for bench/api-load.ts: FastAPI + uvicorn (Debian packages), uvloop + httptools,
# one process, a trivial JSON endpoint like ours. Run: python3 bench/fastapi_healthz.py PORT
import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        workers=1,
    )
