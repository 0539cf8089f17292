"""template.yaml keeps the deployment's promises: one function per route, least privilege, TTLs, samples."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from assent_tools.template import conditions, load_template, local_parameters, resources_of_type

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")
# Functions behind the API, one route each; the rest are fed by a table's stream or a queue.
ROUTED = {fid: props for fid, props in FUNCTIONS.items() if "Api" in props["Events"]}
FED = {fid: props for fid, props in FUNCTIONS.items() if fid not in ROUTED}
TABLES = resources_of_type(TEMPLATE, "AWS::DynamoDB::Table")


def _route(props: dict) -> tuple[str, str]:
    [event] = props["Events"].values()
    return event["Properties"]["Method"].upper(), event["Properties"]["Path"]


def test_every_function_serves_exactly_one_route_or_only_event_sources_and_routes_are_distinct():
    routes = [_route(props) for props in ROUTED.values()]
    sources = {event["Type"] for props in FED.values() for event in props["Events"].values()}

    assert len(routes) == len(set(routes))
    assert sources == {"DynamoDB", "SQS"} and len(FED) == 4


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_every_function_has_a_sample_event_for_its_route_or_its_source(function_id):
    props = FUNCTIONS[function_id]
    folder = Path(props["CodeUri"]).parts[-2:]  # functions/<family>/<endpoint>/
    event = json.loads((ROOT / "events" / folder[0] / f"{folder[1]}.json").read_text())

    if function_id in ROUTED:
        assert (event["httpMethod"], event["resource"]) == _route(props)
    else:
        [kind] = {source["Type"] for source in props["Events"].values()}
        assert {record["eventSource"] for record in event["Records"]} == {f"aws:{kind.lower()}"}
    assert (ROOT / props["CodeUri"] / "app.py").is_file()


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_function_policies_name_actions_and_resources_no_wildcards(function_id):
    for policy in FUNCTIONS[function_id]["Policies"]:
        for held in (True, False):  # a statement a condition holds (pushes on) or leaves out
            for statement in policy["Statement"]:
                if "Fn::If" in statement:
                    statement = statement["Fn::If"][1 if held else 2]
                if statement == {"Ref": "AWS::NoValue"}:
                    continue
                action = statement["Action"]
                assert all("*" not in one for one in (action if isinstance(action, list) else [action]))
                assert statement["Resource"] != "*"


def test_runtime_architecture_and_layer_are_set_for_every_function():
    function_globals = TEMPLATE["Globals"]["Function"]

    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Layers"] == [{"Ref": "AssentLayer"}]
    assert "POWERTOOLS_SERVICE_NAME" in function_globals["Environment"]["Variables"]


@pytest.mark.parametrize("table", ["OperationsTable", "ChallengesTable", "TempTokensTable", "SessionsTable"])
def test_tables_of_short_lived_items_expire_them_by_ttl(table):
    assert TABLES[table]["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


@pytest.mark.parametrize("table", ["ClientsTable", "OperationsTable", "UsersTable"])
def test_tables_of_lasting_records_have_point_in_time_recovery(table):
    assert TABLES[table]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_the_api_is_throttled_and_answers_cors():
    api = resources_of_type(TEMPLATE, "AWS::Serverless::Api")["AssentApi"]

    setting = api["MethodSettings"][0]  # every method's; the routes anyone may call have their own after it
    assert setting["ResourcePath"] == "/*"
    assert setting["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}
    assert "AllowedOrigin" in json.dumps(api["Cors"])


def test_the_api_url_is_an_output():
    assert "ApiUrl" in TEMPLATE["Outputs"]


def test_tokens_are_signed_by_a_kms_p256_key_and_codes_keyed_by_a_kms_hmac_key():
    """SECURITY.md 23: signing keys live in KMS; the functions name them through the template."""
    keys = resources_of_type(TEMPLATE, "AWS::KMS::Key")
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

    for slot in ("TokenSigningKeyA", "TokenSigningKeyB"):
        assert (keys[slot]["KeySpec"], keys[slot]["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    assert (keys["CodeHashKey"]["KeySpec"], keys["CodeHashKey"]["KeyUsage"]) == (
        "HMAC_256",
        "GENERATE_VERIFY_MAC",
    )
    assert variables["ASSENT_TOKEN_KEY_ID"] == {
        "Fn::If": ["SignsWithTokenKeyA", {"Ref": "TokenSigningKeyA"}, {"Ref": "TokenSigningKeyB"}]
    }
    assert variables["ASSENT_CODE_KEY_ID"] == {"Ref": "CodeHashKey"}


_ROOT = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
# What a key's administrator must never be able to do with it, and what would let it grant itself that.
_KEY_USE = {"kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac", "kms:Encrypt", "kms:Decrypt"}
_KEY_USE |= {"kms:CreateGrant", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:*"}


@pytest.mark.parametrize(
    ("key", "use", "tag"),
    [
        ("TokenSigningKeyA", "kms:Sign", "assent:signs-tokens"),
        ("TokenSigningKeyB", "kms:Sign", "assent:signs-tokens"),
        ("CodeHashKey", "kms:GenerateMac", "assent:keeps-codes"),
    ],
)
def test_a_key_is_used_only_by_the_functions_whose_policy_uses_it(key, use, tag):
    """SECURITY.md 23 and 42 (the key policies gave kms:* to the account, so any principal with broad KMS
    rights could sign a token for any user). The administrator manages the key and cannot use it; the account
    may use it only from a role carrying the key's tag with this stack's name, and SAM's translator gives that
    tag to exactly the roles of the functions whose own policy uses the key."""
    statements = {s["Sid"]: s for s in TEMPLATE["Resources"][key]["Properties"]["KeyPolicy"]["Statement"]}
    admin = next(s for s in statements.values() if "kms:PutKeyPolicy" in s["Action"])
    [user] = [s for s in statements.values() if s["Action"] == use]
    resources = _transformed()
    tagged = {
        logical.removesuffix("Role")
        for logical, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role"
        and {"Key": tag, "Value": {"Ref": "AWS::StackName"}} in resource["Properties"].get("Tags", [])
    }
    using = {
        function
        for function in FUNCTIONS
        if any(action == use for action, _ in policies_allowing(function) if _ == key)
    }

    assert admin["Principal"]["AWS"] == {
        "Fn::If": ["NamedKeyAdministrator", {"Ref": "KeyAdministratorArn"}, _ROOT]
    }
    assert not _KEY_USE & set(admin["Action"])
    assert all(s["Principal"]["AWS"] == _ROOT for s in statements.values() if s is not admin)
    assert not any(_KEY_USE & set(_listed(s["Action"])) for s in statements.values() if s is not user)
    assert user["Condition"] == {"StringEquals": {f"aws:PrincipalTag/{tag}": {"Ref": "AWS::StackName"}}}
    assert using and tagged == using


def _listed(action: str | list[str]) -> list[str]:
    return action if isinstance(action, list) else [action]


def policies_allowing(function: str) -> set[tuple[str, str]]:
    """What a function's own policy grants, under either slot of the token keys."""
    from tests import policies

    return {
        permission
        for slots in ("A", "B")
        for permission in policies.allowed(
            TEMPLATE["Resources"][function],
            conditions(TEMPLATE, {**local_parameters({}), "TokenSigningKeys": slots}),
        )
    }


def test_access_tokens_cannot_be_configured_to_outlive_fifteen_minutes():
    """SECURITY.md 24."""
    assert TEMPLATE["Parameters"]["AccessTokenSeconds"]["MaxValue"] <= 900


def test_a_call_a_functions_policy_forgot_is_caught():
    """SECURITY.md 42: every handler the tests invoke has each of its AWS calls checked against its own
    policy (tests/conftest.py `invoke`); here the check itself accepts what a policy grants and refuses what
    it does not."""
    from tests import policies

    granted = policies.allowed(
        TEMPLATE["Resources"]["RefreshFunction"], conditions(TEMPLATE, local_parameters({}))
    )
    tables = {"SessionsTable": "SessionsTable", "UsersTable": "UsersTable"}
    rotation = {
        "TransactItems": [
            {"Update": {"TableName": "SessionsTable"}},
            {"ConditionCheck": {"TableName": "UsersTable"}},
        ]
    }

    assert policies.needed("dynamodb", "TransactWriteItems", rotation, tables) <= granted
    assert not policies.needed("dynamodb", "DeleteItem", {"TableName": "UsersTable"}, tables) <= granted
    assert (
        not policies.needed("dynamodb", "Query", {"TableName": "UsersTable", "IndexName": "by-user"}, tables)
        <= granted
    )


def test_the_policy_fit_check_reports_a_grant_no_call_needs_and_a_stale_reason():
    """SECURITY.md 42, "and no more": `make test` runs the suite with --policy-fit, which fails on a grant no
    handler test's call needs unless tests/policies.py says why it is kept; here the check itself."""
    from tests import policies

    held = conditions(TEMPLATE, local_parameters({}))
    usage = policies.Usage()
    for function_id in FUNCTIONS:
        usage.record(function_id, policies.allowed(TEMPLATE["Resources"][function_id], held), 1)
    everything_used, _ = policies.fit_report(TEMPLATE, usage, held)
    usage.needed["UpdateActionFunction"].discard(("dynamodb:UpdateItem", "ActionsTable"))
    one_unused, figures = policies.fit_report(TEMPLATE, usage, held)

    assert one_unused[0].startswith("UpdateActionFunction is granted dynamodb:UpdateItem on ActionsTable,")
    # With every grant used, each reason kept for an unused one is stale, and said to be; but a public key's
    # read, used or not as the tests' order on a worker has it, only once its grant is gone.
    stale = [key for key, reason in policies.KEPT_UNUSED.items() if reason != policies.SHARED_PUBLIC_KEY]
    assert len(everything_used) == len(stale) > 0
    assert all(problem.startswith("KEPT_UNUSED lists") for problem in everything_used)
    assert figures.startswith(f"policy fit: {len(FUNCTIONS)} AWS calls of {len(FUNCTIONS)} functions")


def _public_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the API document says anyone may call: no key, no token."""
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and not operation.get("security")
    }


def test_the_functions_that_wait_and_those_anyone_may_call_have_capped_concurrency_and_none_else():
    """SECURITY.md 38: waiting calls cannot take the account's Lambda concurrency; nor can a flood of
    anonymous calls once PublicFunctionConcurrency is set; 0 reserves none."""
    reserved = {
        logical_id: props["ReservedConcurrentExecutions"]
        for logical_id, props in resources_of_type(TEMPLATE, "AWS::Serverless::Function").items()
        if "ReservedConcurrentExecutions" in props
    }
    parameter = TEMPLATE["Parameters"]["WaitingFunctionsReservedConcurrency"]
    public = {fid for fid, props in ROUTED.items() if _route(props) in _public_routes()}

    assert len(public) == 16 and set(reserved) == {"AuthorizeFunction", "GetApprovalFunction"} | public
    assert all(
        reserved[fid]
        == {"Fn::If": ["CapPublicFunctions", {"Ref": "PublicFunctionConcurrency"}, {"Ref": "AWS::NoValue"}]}
        for fid in public
    )
    for setting in (reserved["AuthorizeFunction"], reserved["GetApprovalFunction"]):
        assert setting == {
            "Fn::If": [
                "ReserveWaitingConcurrency",
                {"Ref": "WaitingFunctionsReservedConcurrency"},
                {"Ref": "AWS::NoValue"},
            ]
        }
    assert (parameter["Default"], parameter["MinValue"]) == (20, 0)


@cache
def _transformed() -> dict[str, Any]:
    """The template as SAM's own translator makes it for CloudFormation, offline (as `sam validate` does,
    with placeholder code locations)."""
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse((ROOT / "template.yaml").read_text())
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for location in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(location), str):
                properties[location] = "s3://bucket/key"

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": "us-east-1"}):
        return dict(transform(template, {}, NoManagedPolicies())["Resources"])  # type: ignore[arg-type]


def test_the_deployment_has_one_stage_and_it_throttles_every_method():
    """SECURITY.md 42: SAM makes no second, unthrottled stage named "Stage"; the routes anyone may call are
    held lower than the others, each of them."""
    resources = _transformed()
    stages = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    deployments = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Deployment"]

    assert len(stages) == 1 and len(deployments) == 1
    assert "StageName" not in deployments[0]["Properties"]  # a deployment's StageName makes a stage
    setting, *per_route = stages[0]["Properties"]["MethodSettings"]
    held_lower = {
        (route["HttpMethod"], route["ResourcePath"][1:].replace("~1", "/"))
        for route in per_route
        if route["ThrottlingRateLimit"] == {"Ref": "PublicRouteRateLimit"}
        and route["ThrottlingBurstLimit"] == {"Ref": "PublicRouteBurstLimit"}
    }
    assert held_lower == _public_routes() and len(per_route) == len(held_lower)
    assert (setting["ResourcePath"], setting["HttpMethod"]) == ("/*", "*")
    assert setting["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}


# A value each parameter without a default must take, and values it must refuse.
_REQUIRED = {
    "SignInDomain": ("app.example.com", ["", "https://app.example.com", "app example.com"]),
    "SignInUri": ("https://app.example.com/login", ["", "app.example.com/login"]),
    "SenderEmail": ("no-reply@example.com", ["", "no-reply", "a@b@example.com"]),
    "PasskeyRpId": ("example.com", ["", "Example.com", "https://example.com"]),
    "PasskeyOrigins": (
        "https://app.example.com,android:apk-key-hash:Zm9vYmFy",
        ["", "app.example.com", "https://a.example.com,,https://b.example.com"],
    ),
}


@pytest.mark.parametrize("name", sorted(_REQUIRED))
def test_a_required_parameter_refuses_an_empty_or_malformed_value(name):
    """An empty SignInDomain deployed a stack whose every function refused to start; CloudFormation now
    refuses it at `sam deploy`, with the constraint's description."""
    spec = TEMPLATE["Parameters"][name]
    pattern = re.compile(spec["AllowedPattern"])
    accepted, refused = _REQUIRED[name]

    assert "Default" not in spec and spec["ConstraintDescription"]
    assert pattern.fullmatch(accepted)
    assert pattern.fullmatch(local_parameters({})[name])  # and the local gateway's values pass
    assert not [value for value in refused if pattern.fullmatch(value)]


def test_every_parameter_says_what_it_is_for():
    """The CloudFormation console shows each parameter's description; the guided deploy does not, and
    docs/deploying.md goes through them."""
    assert [name for name, spec in TEMPLATE["Parameters"].items() if not spec.get("Description")] == []


def test_every_parameter_without_a_default_is_constrained():
    unconstrained = [
        name
        for name, spec in TEMPLATE["Parameters"].items()
        if "Default" not in spec and "AllowedPattern" not in spec and "AllowedValues" not in spec
    ]

    assert unconstrained == []


def test_retained_tables_are_protected_from_deletion():
    tables = resources_of_type(TEMPLATE, "AWS::DynamoDB::Table")
    retained = [name for name in tables if TEMPLATE["Resources"][name].get("DeletionPolicy") == "Retain"]

    assert retained == ["ClientsTable", "OperationsTable", "ActionsTable", "UsersTable"]
    assert all(tables[name]["DeletionProtectionEnabled"] is True for name in retained)


def test_a_deployment_message_a_deployer_keeps_failing_goes_to_a_dead_letter_queue():
    queue = resources_of_type(TEMPLATE, "AWS::SQS::Queue")["AccountDeploymentQueue"]

    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["AccountDeploymentDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }


def test_every_table_queue_and_key_is_an_output():
    """What an operator looks for after `sam deploy` (assent-admin, a deployer, a JWKS consumer)."""
    named = {json.dumps(output["Value"]) for output in TEMPLATE["Outputs"].values()}
    kinds = ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::KMS::Key")
    resources = [name for kind in kinds for name in resources_of_type(TEMPLATE, kind)]

    assert [name for name in resources if json.dumps({"Ref": name}) not in named] == []


def test_the_guided_deploy_asks_of_no_function_whether_no_authentication_is_right():
    """`sam deploy --guided` asked "<Function> has no authentication. Is this okay? [y/N]" of every function,
    and Enter at the first aborted the deploy. SAM CLI's own check now finds each route declared public."""
    from samcli.commands.deploy.auth_utils import auth_per_resource
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    stacks, _ = SamLocalStackProvider.get_stacks(str(ROOT / "template.yaml"), parameter_overrides={})
    answers = auth_per_resource(stacks)

    assert len(answers) == len(ROUTED)
    assert [name for name, declared in answers if not declared] == []


def test_the_committed_samconfig_deploys_with_iam_and_asks_before_changing():
    import tomllib

    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    deploy = config["default"]["deploy"]["parameters"]

    assert config["default"]["global"]["parameters"]["stack_name"] == "assent"
    assert deploy["capabilities"] == "CAPABILITY_IAM" and deploy["confirm_changeset"] is True
    assert deploy["resolve_s3"] is True
    # SAM reads parameter_overrides from here once a guided deploy saves them; none are committed.
    assert "parameter_overrides" not in deploy


def _rules_broken(parameters: dict[str, str]) -> list[str]:
    """The template's Rules whose assertions fail for these parameters, as CloudFormation checks them before
    it changes anything (their functions are the conditions' own)."""
    broken = []
    for name, rule in TEMPLATE["Rules"].items():
        checks = {"applies": rule.get("RuleCondition", {"Fn::Equals": ["", ""]})}
        checks |= {f"assert{n}": assertion["Assert"] for n, assertion in enumerate(rule["Assertions"])}
        held = conditions({"Parameters": TEMPLATE["Parameters"], "Conditions": checks}, parameters)
        if held.pop("applies") and not all(held.values()):
            broken.append(name)
    return broken


def test_a_custom_domain_is_optional_regional_by_default_and_maps_to_the_one_stage():
    resources = _transformed()
    local = local_parameters({})
    with_domain = {**local, "DomainName": "auth.example.com"}
    certificate = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000"
    [stage] = [name for name, r in resources.items() if r["Type"] == "AWS::ApiGateway::Stage"]

    assert TEMPLATE["Parameters"]["EndpointType"]["Default"] == "REGIONAL"
    assert resources["AssentApi"]["Properties"]["EndpointConfiguration"] == {
        "Types": [{"Ref": "EndpointType"}]
    }
    assert resources["ApiDomainMapping"]["Properties"]["Stage"] == {"Ref": stage}
    assert {resources[name]["Condition"] for name in ("ApiDomain", "ApiDomainMapping")} == {"HasDomain"}
    assert not conditions(TEMPLATE, local)["HasDomain"]
    assert _rules_broken(local) == []
    assert _rules_broken(with_domain) == ["ADomainNeedsItsCertificate"]
    assert _rules_broken({**with_domain, "CertificateArn": certificate}) == []
    assert _rules_broken({**local, "HostedZoneId": "Z0123456789ABC"}) == ["AHostedZoneNeedsADomain"]


def test_every_log_group_is_the_stacks_own_and_keeps_logs_for_log_retention_days():
    """Declared in the template, so made and removed with the stack, with the retention a team chose; every
    function writes to the one function log group."""
    resources = _transformed()
    groups = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    functions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]

    assert set(groups) == {"FunctionLogGroup", "ApiAccessLogGroup"}
    assert all(group["RetentionInDays"] == {"Ref": "LogRetentionDays"} for group in groups.values())
    assert len(functions) == len(FUNCTIONS)
    assert all(f["LoggingConfig"] == {"LogGroup": {"Ref": "FunctionLogGroup"}} for f in functions)


def test_the_access_log_is_one_json_line_per_request_without_a_header():
    """SECURITY.md 30: no field of the line comes from a header (a token, an API key) or the body; its
    requestId is the functions' correlation_id."""
    resources = _transformed()
    [stage] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    setting = stage["AccessLogSetting"]
    variables = re.findall(r"\$context\.[\w.]+", setting["Format"])
    line = json.loads(re.sub(r"\$context\.[\w.]+", "x", setting["Format"]))

    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert {"requestId", "ip", "route", "status", "latencyMs"} <= set(line)
    assert all(
        v.split(".")[1]
        in (
            "requestId",
            "identity",
            "requestTimeEpoch",
            "httpMethod",
            "resourcePath",
            "status",
            "responseLatency",
            "integrationLatency",
            "responseLength",
            "error",
        )
        for v in variables
    )
    assert "$context.identity.sourceIp" in variables and not any("apiKey" in v for v in variables)
    # API Gateway logs with the account's CloudWatch role, set before the API's stage exists.
    assert resources["AssentApi"]["DependsOn"] == "ApiGatewayAccount"


def test_the_optional_web_acl_limits_exactly_the_routes_anyone_may_call_per_ip():
    """WebAcl=create: one IP's calls to the routes anyone may call are limited; a key's or a token's are not.
    The rule's pattern is checked here against every route of the API document, with the stage's name in the
    path and without it (a custom domain)."""
    resources = _transformed()
    [rule] = resources["PublicRoutesWebAcl"]["Properties"]["Rules"]
    limit = rule["Statement"]["RateBasedStatement"]
    pattern = re.compile(limit["ScopeDownStatement"]["RegexMatchStatement"]["RegexString"])
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    paths = {re.sub(r"\{\w+\}", "x1", path) for path in document["paths"]}
    public = {path for _, path in _public_routes()}

    for prefix in ("/v1", ""):
        assert {path for path in paths if pattern.search(prefix + path)} == public
    assert (limit["AggregateKeyType"], limit["Limit"]) == ("IP", {"Ref": "WebAclPublicRequestsPerIp"})
    association = resources["WebAclAssociation"]
    assert association["Condition"] == "UsesWebAcl"
    assert association["Properties"]["ResourceArn"]["Fn::Sub"].endswith("/stages/${AssentApiStage}")
    assert not conditions(TEMPLATE, local_parameters({}))["UsesWebAcl"]  # none unless asked for


ALARMS = resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm")


def _emitted_metrics() -> set[str]:
    """The custom metrics the layer writes (Powertools' add_metric with a literal name)."""
    sources = (ROOT / "layers" / "assent" / "assent").rglob("*.py")
    names = {
        name for path in sources for name in re.findall(r'add_metric\(\s*name="(\w+)"', path.read_text())
    }
    return names | {f"Responses{n}xx" for n in range(1, 6)}  # http.py's, by status class


def test_the_written_alarms_are_current():
    """`make alarms` wrote them from the functions: a function added without them fails here."""
    from assent_tools import alarms

    text = (ROOT / "template.yaml").read_text()

    assert alarms.written(text) == text


def test_every_function_has_an_alarm_on_its_failures_and_one_on_its_throttles():
    watched = {
        (alarm["MetricName"], alarm["Dimensions"][0]["Value"]["Ref"])
        for alarm in ALARMS.values()
        if alarm.get("Namespace") == "AWS/Lambda"
    }

    assert watched == {(metric, function) for function in FUNCTIONS for metric in ("Errors", "Throttles")}


def test_every_alarm_tells_the_topic_and_the_topic_mails_the_address_given():
    subscription = TEMPLATE["Resources"]["AlarmEmailSubscription"]

    assert all(alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}] for alarm in ALARMS.values())
    assert all(alarm["OKActions"] == [{"Ref": "AlarmTopic"}] for alarm in ALARMS.values())
    assert subscription["Condition"] == "MailsAlarms" and subscription["Properties"]["Protocol"] == "email"
    assert not conditions(TEMPLATE, local_parameters({}))["MailsAlarms"]


def test_the_alarms_and_the_dashboard_watch_metrics_that_exist():
    """A custom metric is one the layer writes, under the service name the functions have; API Gateway's are
    the API's by its name; the table queries name every table."""
    service = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    custom = [alarm for alarm in ALARMS.values() if alarm.get("Namespace") == "Assent"]
    api = [alarm for alarm in ALARMS.values() if alarm.get("Namespace") == "AWS/ApiGateway"]
    queries = [
        query["Expression"]["Fn::Sub"]
        for alarm in ALARMS.values()
        for query in alarm.get("Metrics", [])
        if "SELECT" in str(query.get("Expression"))
    ]
    body = resources_of_type(TEMPLATE, "AWS::CloudWatch::Dashboard")["Dashboard"]["DashboardBody"]["Fn::Sub"]
    dashboard = json.loads(re.sub(r"\$\{[\w:.]+\}", "x", body))
    on_dashboard = {
        metric[1]
        for widget in dashboard["widgets"]
        for metric in widget["properties"]["metrics"]
        if isinstance(metric, list) and metric[0] == "Assent"
    }

    assert {alarm["MetricName"] for alarm in custom} | on_dashboard <= _emitted_metrics()
    assert all(alarm["Dimensions"] == [{"Name": "service", "Value": service}] for alarm in custom)
    assert TEMPLATE["Resources"]["AssentApi"]["Properties"]["Name"] == {"Ref": "AWS::StackName"}
    assert all(
        alarm["Dimensions"][0] == {"Name": "ApiName", "Value": {"Ref": "AWS::StackName"}} for alarm in api
    )
    assert len(queries) == 2 and all(f"'${{{table}}}'" in query for query in queries for table in TABLES)
    assert len(dashboard["widgets"]) == 12
