"""Hosting the approver: its stack's template keeps the bucket private behind CloudFront, and the upload
puts each file where the page asks for it, with the API's URL beside them (moto's S3, CloudFront and
CloudFormation)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from assent_tools import web_deploy
from assent_tools.template import ROOT, load_template

HOSTING = load_template(ROOT / "web" / "deploy" / "template.yaml")


def test_the_bucket_is_private_and_read_only_by_the_distribution_over_https():
    resources = HOSTING["Resources"]
    blocked = resources["SiteBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    statements = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    behaviour = resources["Site"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]

    assert all(blocked.values()) and len(blocked) == 4
    [read] = [s for s in statements if s["Effect"] == "Allow"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"} and read["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in read["Condition"]["StringEquals"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false" for s in statements
    )
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https" and behaviour["AllowedMethods"] == [
        "GET",
        "HEAD",
    ]
    headers = resources["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    assert "script-src 'self'" in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]


def test_the_upload_puts_the_page_where_it_asks_for_its_parts_and_names_the_api(tmp_path: Path):
    web = tmp_path / "web"
    (web / "dist" / "web" / "src").mkdir(parents=True)
    (web / "index.html").write_text('<script type="module" src="/app/web/src/main.js"></script>')
    (web / "style.css").write_text("body {}")
    (web / "dist" / "web" / "src" / "main.js").write_text("export {};")
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        s3 = session.client("s3")
        s3.create_bucket(Bucket="site")
        distribution = session.client("cloudfront").create_distribution(
            DistributionConfig={
                "CallerReference": "test",
                "Comment": "",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "site",
                            "DomainName": "site.s3.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https",
                },
            }
        )["Distribution"]
        outputs = {
            "SiteBucketName": "site",
            "DistributionId": distribution["Id"],
            "SiteUrl": "https://d.example",
        }
        stack = {"Resources": {"Nothing": {"Type": "AWS::SNS::Topic"}}}
        stack["Outputs"] = {name: {"Value": value} for name, value in outputs.items()}
        session.client("cloudformation").create_stack(StackName="approver", TemplateBody=json.dumps(stack))

        done = web_deploy.upload(session, "approver", "https://api.example.com/prod", web)
        stored = {o["Key"]: o for o in s3.list_objects_v2(Bucket="site")["Contents"]}
        script = s3.get_object(Bucket="site", Key="app/web/src/main.js")
        config = json.loads(s3.get_object(Bucket="site", Key="config.json")["Body"].read())

    assert set(stored) == {"index.html", "app/style.css", "app/web/src/main.js", "config.json"}
    assert script["ContentType"] == "text/javascript"
    assert config == {"apiUrl": "https://api.example.com/prod"}
    assert done["site"] == "https://d.example" and done["objects"] == 4


def test_the_upload_refuses_to_run_before_the_page_is_built(tmp_path: Path):
    with pytest.raises(SystemExit, match="make web"):
        web_deploy.files(tmp_path)
