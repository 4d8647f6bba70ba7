"""`make corpus-portable`: see portable/__init__.py.

    python -m portable [--work build/portable] [--reference runs/sample]

1. The reference: `fleece corpus` on manifests/sample.yaml (the DirectRunner, local disk;
   the stages already complete are not run again).
2. The wheel of this checkout, the worker image (portable/pool.py) and the worker user.
3. An S3 API server on localhost; the external worker pool as the worker user; the checkout
   (and so this run's temporary folder, the reference run and the venv) closed to others.
4. `fleece corpus` on the same manifest with run_dir `s3://fleece/sample` (the sample stage
   writes its inputs there too) on `--runner=PortableRunner --job_endpoint=embed
   --environment_type=EXTERNAL` against the pool.
5. Every file of the S3 run downloaded and compared with the reference by sha256: the
   identical ones listed with their digest, each other one with the reason it may differ,
   checked (portable/compare.py). Exit status 1 if any difference is unexplained.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from portable.compare import compare_runs
from portable.pool import (
    build_wheel,
    closed_to_others,
    external_pool,
    portable_flags,
    worker_image,
    worker_user,
)
from portable.store import s3_server

CHECKOUT = Path(__file__).resolve().parent.parent
SAMPLE_MANIFEST = CHECKOUT / "manifests" / "sample.yaml"
FLEECE = Path(sys.executable).parent / "fleece"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portable", description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=CHECKOUT / "build" / "portable")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print(
            "make corpus-portable starts Beam's worker pool as another user, which only root "
            "can do: run it as root (a container or a throwaway VM)",
            file=sys.stderr,
        )
        return 1
    base = yaml.safe_load(SAMPLE_MANIFEST.read_text())
    reference = (CHECKOUT / base["run_dir"]).resolve()
    print(
        f"reference: fleece corpus --manifest {SAMPLE_MANIFEST.relative_to(CHECKOUT)}", flush=True
    )
    subprocess.run(
        [str(FLEECE), "corpus", "--manifest", str(SAMPLE_MANIFEST)], check=True, cwd=CHECKOUT
    )

    work = args.work.resolve()
    wheel = build_wheel(CHECKOUT, work / "wheel")
    image = worker_image(wheel)
    user = worker_user()
    print(f"worker image: {image} ({wheel.name}); pool user: {user.pw_name}", flush=True)
    launcher_tmp = work / "tmp"
    shutil.rmtree(launcher_tmp, ignore_errors=True)
    launcher_tmp.mkdir(parents=True)
    downloaded = work / "s3-run"
    shutil.rmtree(downloaded, ignore_errors=True)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    with (
        s3_server(log=logs / "s3-server.log") as s3,
        closed_to_others([CHECKOUT, launcher_tmp]),
        external_pool(image, user, image.parent / "worker-home", logs / "pool.log") as pool,
    ):
        run_dir = s3.url("sample")
        manifest = launcher_tmp / "sample-s3.yaml"
        manifest.write_text(yaml.safe_dump({**base, "run_dir": run_dir}, sort_keys=False))
        print(
            f"portable: fleece corpus, run_dir {run_dir} on {s3.endpoint}, pool {pool}", flush=True
        )
        started = time.monotonic()
        subprocess.run(
            [str(FLEECE), "corpus", "--manifest", str(manifest), *portable_flags(pool),
             *s3.beam_flags],
            check=True, cwd=CHECKOUT, env={**os.environ, "TMPDIR": str(launcher_tmp)},
        )  # fmt: skip
        wall = time.monotonic() - started
        count = s3.download("sample/", downloaded)
    print(f"portable run: {wall:.0f} s; {count} objects under {run_dir}", flush=True)

    spellings = (base["run_dir"], str(reference), run_dir)
    same, differences = compare_runs(reference, downloaded, spellings)
    print(f"\n{len(same)} files byte-identical (sha256):")
    for path, digest in same.items():
        print(f"  {digest}  {path}")
    unexplained = [d for d in differences if not d.reason]
    print(f"\n{len(differences)} files differ, {len(unexplained)} unexplained:")
    for d in differences:
        why = d.reason or (f"UNEXPLAINED: only in {d.only_in}" if d.only_in else "UNEXPLAINED")
        print(f"  {d.path}: {why}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
