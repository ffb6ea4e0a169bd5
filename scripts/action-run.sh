#!/usr/bin/env bash
# GitHub Action step 2: run the check once, print the chosen format to the log (annotations with
# `github`), always write SARIF, and hand the exit code and SARIF path to the next steps.
set -uo pipefail
cd "${GITHUB_WORKSPACE:-.}"
sarif="${INPUT_SARIF_FILE:-valkey-lint.sarif}"
format="${INPUT_FORMAT:-github}"
summary="${RUNNER_TEMP:-/tmp}/valkey-lint-summary.txt"
args=(check --fail-on "${INPUT_FAIL_ON:-warning}" --format "$format" --format sarif --output "$sarif")
if [ "$format" != human ]; then
  # The closing line of the human format, for the job summary.
  args+=(--format human --output "$summary" --quiet)
fi
if [ -n "${INPUT_CONFIG:-}" ]; then
  args+=(--config "$INPUT_CONFIG")
fi
read -r -a paths <<< "${INPUT_PATHS:-.}"
valkey-lint "${args[@]}" "${paths[@]}"
code=$?
{
  echo "exit-code=$code"
  echo "sarif-file=$sarif"
} >> "${GITHUB_OUTPUT:?}"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$summary" ]; then
  printf '### valkey-lint\n\n%s\n' "$(cat "$summary")" >> "$GITHUB_STEP_SUMMARY"
fi
# This step succeeds: the action's last step fails the job with this code, after the SARIF
# upload had its chance to run.
exit 0
