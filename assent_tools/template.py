"""template.yaml as the one source of local tables, functions and their environment."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

Handler = Callable[[dict, Any], dict]


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    timeout_seconds: int = 3  # Lambda's default, when neither the function nor Globals set one

    def module(self, instance: int = 0) -> ModuleType:
        """Import this function's code as a fresh module, like a new Lambda execution environment."""
        module_file = self.handler.rsplit(".", 1)[0]
        path = self.code_dir / f"{module_file.replace('.', '/')}.py"
        name = f"assent_function_{self.logical_id}_{instance}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise FileNotFoundError(path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def load(self, instance: int = 0) -> Handler:
        """This function's handler, from a fresh import of its module."""
        handler: Handler = getattr(self.module(instance), self.handler.rsplit(".", 1)[1])
        return handler


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml_parse(path.read_text())


def resources_of_type(
    template: Mapping[str, Any], kind: str, conditions: Mapping[str, bool] | None = None
) -> dict[str, dict[str, Any]]:
    """The resources of one type; given the conditions' values, only those a deployment would hold."""
    return {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == kind
        and (conditions is None or conditions.get(resource.get("Condition", ""), True))
    }


def parameter_values(template: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, str]:
    """Every parameter's value: its default unless `overrides` gives one."""
    values = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    values.update(overrides)
    return values


def conditions(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, bool]:
    """Each condition of the template, evaluated as CloudFormation does for these parameters (Fn::Equals,
    Fn::Not, Fn::And, Fn::Or and Condition over parameters and literals)."""
    values = parameter_values(template, parameters)
    declared = template.get("Conditions", {})
    evaluated: dict[str, bool] = {}

    def operand(node: Any) -> str:
        if isinstance(node, dict) and set(node) == {"Ref"}:
            return values[node["Ref"]]
        if isinstance(node, str | int | float):
            return str(node)
        raise ValueError(f"a condition operand this evaluator does not read: {node!r}")

    def truth(node: Any) -> bool:
        [(function, arguments)] = node.items()
        if function == "Fn::Equals":
            return operand(arguments[0]) == operand(arguments[1])
        if function == "Fn::Not":
            return not truth(arguments[0])
        if function == "Fn::And":
            return all(truth(argument) for argument in arguments)
        if function == "Fn::Or":
            return any(truth(argument) for argument in arguments)
        if function == "Condition":
            return condition(arguments)
        raise ValueError(f"a condition function this evaluator does not read: {function}")

    def condition(name: str) -> bool:
        if name not in evaluated:
            evaluated[name] = truth(declared[name])
        return evaluated[name]

    return {name: condition(name) for name in declared}


def chosen(value: Any, conditions: Mapping[str, bool]) -> Any:
    """`value` with each Fn::If replaced by the branch its condition takes."""
    while isinstance(value, dict) and set(value) == {"Fn::If"}:
        name, when_true, when_false = value["Fn::If"]
        value = when_true if conditions[name] else when_false
    return value


def functions(template: Mapping[str, Any], root: Path = ROOT) -> dict[str, FunctionSpec]:
    default_timeout = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    return {
        logical_id: FunctionSpec(
            logical_id, root / props["CodeUri"], props["Handler"], int(props.get("Timeout", default_timeout))
        )
        for logical_id, props in resources_of_type(template, "AWS::Serverless::Function").items()
    }


def create_tables(dynamodb_client: Any, template: Mapping[str, Any]) -> dict[str, str]:
    """Create every DynamoDB table the template declares, named by its logical id, unless the store has it
    already; returns the names."""
    names = {}
    existing = set(dynamodb_client.list_tables()["TableNames"])
    for logical_id, props in resources_of_type(template, "AWS::DynamoDB::Table").items():
        names[logical_id] = logical_id
        if logical_id in existing:
            continue
        request: dict[str, Any] = {
            "TableName": logical_id,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        dynamodb_client.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb_client.update_time_to_live(
                TableName=logical_id,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
    return names


# Parameters a deployment must set, given values that suit a developer's machine. The sign-in domain and
# URI name the front end a developer runs beside the local API; the environment may change each.
LOCAL_PARAMETERS = {
    "SignInDomain": ("ASSENT_SIWE_DOMAIN", "localhost:5173"),
    "SignInUri": ("ASSENT_SIWE_URI", "http://localhost:5173/"),
    "SenderEmail": ("ASSENT_SENDER_EMAIL", "no-reply@assent.localhost"),
    # A developer's machine signs up with an e-mail address alone; a deployment never does by default.
    "AllowTestSignIn": ("ASSENT_TEST_SIGN_IN", "true"),
    "SecureActionResendSeconds": ("ASSENT_SECURE_ACTION_RESEND_SECONDS", "60"),
    # Passkeys made on a developer's machine are for localhost, from the local API's own origin.
    "PasskeyRpId": ("ASSENT_PASSKEY_RP_ID", "localhost"),
    "PasskeyOrigins": ("ASSENT_PASSKEY_ORIGINS", "http://localhost:{port}"),
    # Pushes go to the local store's SNS, which keeps them for GET /_local/push; `provision` creates these.
    "FcmPlatformApplicationArn": (
        "ASSENT_FCM_APPLICATION_ARN",
        "arn:aws:sns:us-east-1:123456789012:app/GCM/assent-local",
    ),
    "ApnsPlatformApplicationArn": (
        "ASSENT_APNS_APPLICATION_ARN",
        "arn:aws:sns:us-east-1:123456789012:app/APNS/assent-local",
    ),
}


def local_parameters(environ: Mapping[str, str], *, port: int = 3000) -> dict[str, str]:
    """The local values of the parameters a deployment must set; `port` is the local API's."""
    return {
        name: environ.get(variable) or default.format(port=port)
        for name, (variable, default) in LOCAL_PARAMETERS.items()
    }


def create_keys(
    kms_client: Any,
    template: Mapping[str, Any],
    parameters: Mapping[str, str],
    existing: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Create the KMS keys a deployment with these parameters holds, except those `existing` names; returns
    each logical id's key id."""
    held = resources_of_type(template, "AWS::KMS::Key", conditions(template, parameters))
    return {
        logical_id: (existing or {}).get(logical_id)
        or kms_client.create_key(
            KeySpec=props["KeySpec"],
            KeyUsage=props["KeyUsage"],
            Description=props.get("Description", logical_id),
        )["KeyMetadata"]["KeyId"]
        for logical_id, props in held.items()
    }


# The queue attributes the local store keeps as the template sets them: what the event sources behave by.
_QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")


def create_queues(sqs_client: Any, template: Mapping[str, Any]) -> dict[str, str]:
    """Create every SQS queue the template declares, named by its logical id, with its visibility timeout,
    retention and dead-letter queue; returns each one's URL (what `!Ref` of a queue gives)."""
    queues = resources_of_type(template, "AWS::SQS::Queue")
    urls: dict[str, str] = {}
    # Dead-letter queues first: a queue's redrive policy names its dead-letter queue's ARN.
    for logical_id, props in sorted(queues.items(), key=lambda item: "RedrivePolicy" in item[1]):
        attributes = {name: str(props[name]) for name in _QUEUE_ATTRIBUTES if name in props}
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            arn = sqs_client.get_queue_attributes(QueueUrl=urls[target], AttributeNames=["QueueArn"])
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": arn["Attributes"]["QueueArn"],
                    "maxReceiveCount": int(redrive["maxReceiveCount"]),
                }
            )
        urls[logical_id] = sqs_client.create_queue(QueueName=logical_id, Attributes=attributes)["QueueUrl"]
    return urls


def create_platform_applications(sns_client: Any, parameters: Mapping[str, str]) -> dict[str, str]:
    """The SNS platform applications the parameters name (a deployment creates them outside the stack, with
    its FCM and APNs credentials); each parameter's ARN, by the parameter's name."""
    created = {}
    for name, value in parameters.items():
        if name.endswith("PlatformApplicationArn") and value:
            platform, application = value.split(":app/", 1)[1].split("/", 1)
            created[name] = sns_client.create_platform_application(
                Name=application, Platform=platform, Attributes={"PlatformCredential": "local"}
            )["PlatformApplicationArn"]
    return created


def existing_keys(kms_client: Any, template: Mapping[str, Any]) -> dict[str, str]:
    """The usable keys a store holds for the template's KMS keys, found by their description (a local store's
    keys are made by `create_keys`, which gives each its template description)."""
    wanted = {
        props.get("Description", logical_id): logical_id
        for logical_id, props in resources_of_type(template, "AWS::KMS::Key").items()
    }
    found = {}
    for listed in kms_client.list_keys()["Keys"]:
        metadata = kms_client.describe_key(KeyId=listed["KeyId"])["KeyMetadata"]
        if metadata["KeyState"] == "Enabled" and metadata.get("Description") in wanted:
            found[wanted[metadata["Description"]]] = metadata["KeyId"]
    return found


def provision(session: Any, template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, str]:
    """Create the template's tables, KMS keys, queues and SES identities in the store `session` points at,
    keeping what it holds already (a store `make run` started); returns the physical id of each logical id,
    for `function_environment`."""
    physical = create_tables(session.client("dynamodb"), template)
    kms = session.client("kms")
    physical.update(create_keys(kms, template, parameters, existing=existing_keys(kms, template)))
    physical.update(create_queues(session.client("sqs"), template))
    physical.update(create_platform_applications(session.client("sns"), parameters))
    ses = session.client("ses")
    for identity in ses_identities(template, parameters):
        ses.verify_email_identity(EmailAddress=identity)
    return physical


def function_environment(
    template: Mapping[str, Any],
    physical_ids: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment every function sees, with `!Ref`s resolved to parameters and to the physical ids
    of the resources `provision` created.

    All functions share one process locally, so they must agree on each variable's value.
    """
    parameters = parameter_values(template, overrides or {})
    held = conditions(template, parameters)

    def resolve(name: str, value: Any) -> str:
        value = chosen(value, held)
        if isinstance(value, dict) and set(value) == {"Ref"}:
            ref = value["Ref"]
            if ref in parameters:
                return parameters[ref]
            if ref in physical_ids:
                return physical_ids[ref]
        if isinstance(value, str | int | float):
            return str(value)
        raise ValueError(f"{name}: the local gateway resolves only literals, Ref and Fn::If, not {value!r}")

    environment: dict[str, str] = {}
    scopes = [template.get("Globals", {}).get("Function", {})]
    scopes += resources_of_type(template, "AWS::Serverless::Function").values()
    for scope in scopes:
        for name, value in scope.get("Environment", {}).get("Variables", {}).items():
            resolved = resolve(name, value)
            if environment.get(name, resolved) != resolved:
                raise ValueError(f"{name} differs between functions; the local gateway cannot serve both")
            environment[name] = resolved
    return environment


def ses_identities(template: Mapping[str, Any], parameters: Mapping[str, str]) -> list[str]:
    identities = []
    for props in resources_of_type(template, "AWS::SES::EmailIdentity").values():
        identity = props.get("EmailIdentity")
        if isinstance(identity, dict) and set(identity) == {"Ref"}:
            identity = parameters.get(identity["Ref"])
        if isinstance(identity, str):
            identities.append(identity)
    return identities
