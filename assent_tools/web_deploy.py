"""`make web-deploy`: the approver's files uploaded to the bucket of its hosting stack
(web/deploy/template.yaml, deployed first with `sam deploy`), with the API's URL in config.json beside them,
and the distribution's cache invalidated so that people get the new page."""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from assent_tools.template import ROOT

WEB = ROOT / "web"


def files(web: Path = WEB) -> dict[str, Path]:
    """Each object key the page is served under, and the file it is: the page at /, its style and compiled
    modules under /app/ (the paths the local API serves them at)."""
    if not (web / "dist").is_dir():
        raise SystemExit("web/dist is missing: make web")
    served = {"index.html": web / "index.html", "app/style.css": web / "style.css"}
    served |= {f"app/{path.relative_to(web / 'dist')}": path for path in (web / "dist").rglob("*.js")}
    return served


def upload(session: Any, stack: str, api_url: str, web: Path = WEB) -> dict[str, Any]:
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    }
    s3 = session.client("s3")
    bucket = outputs["SiteBucketName"]
    for key, path in sorted(files(web).items()):
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            kind = "text/javascript"  # module scripts must be served as JavaScript
        # The page and config.json are read fresh; the modules may be cached a little.
        cache = "no-cache" if key == "index.html" else "max-age=300"
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=kind, CacheControl=cache)
    config = json.dumps({"apiUrl": api_url}).encode()
    s3.put_object(
        Bucket=bucket, Key="config.json", Body=config, ContentType="application/json", CacheControl="no-cache"
    )
    invalidation = session.client("cloudfront").create_invalidation(
        DistributionId=outputs["DistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time_ns())},
    )
    return {
        "site": outputs["SiteUrl"],
        "objects": len(files(web)) + 1,
        "invalidation": invalidation["Invalidation"]["Id"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="web-deploy", description=__doc__)
    parser.add_argument("--stack", required=True, help="the approver's hosting stack")
    parser.add_argument("--api-url", required=True, help="the Assent stack's ApiUrl")
    parser.add_argument("--region")
    args = parser.parse_args(argv)
    print(json.dumps(upload(boto3.Session(region_name=args.region), args.stack, args.api_url), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
