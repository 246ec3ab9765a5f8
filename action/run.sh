#!/usr/bin/env bash
# The body of the GitHub Action (action.yml): turns its inputs, given as INPUT_* variables, into
# one mcp-auth-conformance command line, runs it, and records its exit code and the artifact name
# as step outputs. It exits with the suite's exit code; the action ignores that and passes the
# recorded code on only after the reports are uploaded, so a failing run still leaves its reports.
#
# MCP_AUTH_CONFORMANCE_CLI replaces `npx --yes mcp-auth-conformance@<version>` (the kit's own
# tests run a local build this way).
set -u

fail() {
  printf '::error title=mcp-auth-conformance::%s\n' "$1" >&2
  record exit-code 2
  exit 2
}

record() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"; fi
}

# Splits a string into words as a shell would, quotes and backslashes included, but expands
# nothing: a `$` in an input stays a `$`. The words go to WORDS.
split_words() {
  WORDS=()
  [ -z "${1//[[:space:]]/}" ] && return 0
  local listed word
  # xargs reads quotes as sh does; \001 separates words, since a shell variable cannot hold NUL.
  if ! listed=$(printf '%s' "$1" | xargs printf '%s\001' 2>/dev/null); then
    fail "$2 is not a list of words (an unmatched quote?): $1"
  fi
  while IFS= read -r -d $'\001' word; do WORDS+=("$word"); done <<< "$listed"
}

client=${INPUT_CLIENT:-}
server_url=${INPUT_SERVER_URL:-}
server_command=${INPUT_SERVER_COMMAND:-}
issuer=${INPUT_ISSUER:-}
as_command=${INPUT_AUTHORIZATION_SERVER_COMMAND:-}
version=${INPUT_VERSION:-latest}
reporters=${INPUT_REPORTERS:-console,json,junit,markdown,html}
output_dir=${INPUT_OUTPUT_DIR:-mcp-auth-conformance-results}

targets=()
[ -n "$client" ] && targets+=(client)
[ -n "$server_url" ] && targets+=(server-url)
[ -n "$server_command" ] && targets+=(server-command)
[ -n "$issuer" ] && targets+=(issuer)
[ -n "$as_command" ] && targets+=(authorization-server-command)
if [ "${#targets[@]}" -ne 1 ]; then
  given=none
  [ "${#targets[@]}" -gt 0 ] && given=$(IFS=,; printf '%s' "${targets[*]}" | sed 's/,/, /g')
  fail "set exactly one of the inputs client, server-url, server-command, issuer, authorization-server-command (given: $given)"
fi

case ${targets[0]} in
  client) args=(client --command "$client"); role=client ;;
  server-url) args=(server --url "$server_url"); role=server ;;
  server-command) args=(server --command "$server_command"); role=server ;;
  issuer) args=(authorization-server --issuer "$issuer"); role=authorization-server ;;
  authorization-server-command) args=(authorization-server --command "$as_command"); role=authorization-server ;;
esac
[ -n "${INPUT_SUITE:-}" ] && args+=(--suite "$INPUT_SUITE")
[ -n "${INPUT_SPEC_VERSION:-}" ] && args+=(--spec-version "$INPUT_SPEC_VERSION")
[ -n "${INPUT_SHARD:-}" ] && args+=(--shard "$INPUT_SHARD")
[ -n "${INPUT_EXPECTED_FAILURES:-}" ] && args+=(--expected-failures "$INPUT_EXPECTED_FAILURES")
args+=(--reporter "$reporters" --output-dir "$output_dir")
split_words "${INPUT_ARGS:-}" 'the args input'
args+=("${WORDS[@]+"${WORDS[@]}"}")

if [ -n "${MCP_AUTH_CONFORMANCE_CLI:-}" ]; then
  split_words "$MCP_AUTH_CONFORMANCE_CLI" MCP_AUTH_CONFORMANCE_CLI
  cli=("${WORDS[@]+"${WORDS[@]}"}")
else
  cli=(npx --yes "mcp-auth-conformance@$version")
fi

# One artifact per shard and role, so the jobs of a matrix do not overwrite each other's.
artifact=${INPUT_ARTIFACT_NAME:-}
if [ -z "$artifact" ]; then
  artifact="mcp-auth-conformance-$role"
  if [ -n "${INPUT_SHARD:-}" ]; then
    artifact="$artifact-shard-$(printf '%s' "$INPUT_SHARD" | tr -d '[:space:]' | sed 's#/#-of-#')"
  fi
fi
record artifact-name "$artifact"

# The command line as one could paste it into a shell, for the log.
printf '+'
for word in "${cli[@]}" "${args[@]}"; do
  case $word in
    '' | *[!A-Za-z0-9._/:=@%+,-]*) printf " '%s'" "${word//\'/\'\\\'\'}" ;;
    *) printf ' %s' "$word" ;;
  esac
done
printf '\n'
"${cli[@]}" "${args[@]}"
code=$?
record exit-code "$code"
exit "$code"
