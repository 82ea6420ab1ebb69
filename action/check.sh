#!/usr/bin/env bash
# Run the gate with the action's inputs (which arrive as INPUT_* variables,
# never interpolated into this script). plangate itself writes the
# annotations, the step summary and the step's outputs.
set -uo pipefail

args=(check --format "${INPUT_FORMAT:-github}" --report "$RUNNER_TEMP/plangate-report.json")
if [[ -n ${INPUT_CONFIG:-} ]]; then
  args+=(--config "$INPUT_CONFIG")
fi
# Judge by the base's policy unless told otherwise.
ref=${INPUT_CONFIG_REF:-${PULL_REQUEST_BASE:-}}
if [[ -n $ref && $ref != none ]]; then
  args+=(--config-ref "$ref")
fi
if [[ -n ${INPUT_APPROVALS_FILE:-} ]]; then
  args+=(--approvals "$INPUT_APPROVALS_FILE")
fi
if [[ ${INPUT_SARIF:-false} == true ]]; then
  args+=(--sarif "$RUNNER_TEMP/plangate.sarif")
  echo "sarif=$RUNNER_TEMP/plangate.sarif" >>"$GITHUB_OUTPUT"
fi
if [[ ${INPUT_APPLY:-false} == true ]]; then
  args+=(--apply)
fi
if [[ ${INPUT_COMMENT:-false} == true ]]; then
  args+=(--comment)
fi
paths=()
if [[ ${INPUT_FROM_RECORD:-false} == true ]]; then
  # A review re-judged from the head's record: no plan to read.
  args+=(--from-record)
else
  read -r -a paths <<<"${INPUT_PATHS:-.}"
fi

plangate "${args[@]}" "${paths[@]}"
code=$?
case $code in
  0) ;;
  1) echo "plangate: findings need approvals they do not have (exit 1)" ;;
  *) echo "::error title=plangate::plangate could not decide (exit $code); its message is above" ;;
esac
exit "$code"
