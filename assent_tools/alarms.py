"""The two alarms template.yaml holds for each function (its failures and its throttles), written from the
template's own functions between two marker lines by `make alarms`, as docs/openapi.json is written from the
handlers; a test checks that they are current."""

from __future__ import annotations

import sys
from pathlib import Path

from samcli.yamlhelper import yaml_parse

from assent_tools.template import TEMPLATE, load_template, resources_of_type

BEGIN = "  # --- Each function's alarms: written by `make alarms` from the functions above ---\n"
END = "  # --- End of the written alarms ---\n"

_COMMON = """      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref AlarmTopic]
      OKActions: [!Ref AlarmTopic]
"""


def _function_alarms(function_id: str) -> str:
    dimensions = f"      Dimensions: [{{Name: FunctionName, Value: !Ref {function_id}}}]\n"
    return (
        f"  {function_id}Errors:\n"
        "    Type: AWS::CloudWatch::Alarm\n"
        "    Properties:\n"
        f'      AlarmDescription: "{function_id} failed to answer: a timeout, a crash or no memory left."\n'
        "      Namespace: AWS/Lambda\n"
        "      MetricName: Errors\n" + dimensions + _COMMON + "\n"
        f"  {function_id}Throttles:\n"
        "    Type: AWS::CloudWatch::Alarm\n"
        "    Properties:\n"
        f'      AlarmDescription: "{function_id} was refused a new instance: no concurrency left for it."\n'
        "      Namespace: AWS/Lambda\n"
        "      MetricName: Throttles\n" + dimensions + _COMMON
    )


def written(template_text: str) -> str:
    """`template_text` with its written alarms made anew from its functions."""
    functions = sorted(resources_of_type(dict(yaml_parse(template_text)), "AWS::Serverless::Function"))
    body = "\n".join(map(_function_alarms, functions))
    start, end = template_text.index(BEGIN) + len(BEGIN), template_text.index(END)
    return template_text[:start] + "\n" + body + "\n" + template_text[end:]


def main(path: Path = TEMPLATE) -> int:
    text = path.read_text()
    path.write_text(written(text))
    count = len(resources_of_type(load_template(path), "AWS::CloudWatch::Alarm"))
    print(f"{path.name}: {count} alarms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
