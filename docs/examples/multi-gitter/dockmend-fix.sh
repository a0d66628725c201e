#!/usr/bin/env bash
# dockmend as a multi-gitter script: multi-gitter clones each repository, runs
# this in the root of the clone, and opens a pull request with whatever changed.
#
#   multi-gitter run "$PWD/dockmend-fix.sh" --config config.yml
#
# multi-gitter wants exit 0 for success (a pull request when files changed) and
# non-zero for a repository that failed. `dockmend fix` exits 0 after changing
# files and when nothing needed changing; it exits 2 only on errors (a file
# buildkit would reject, a file it could not write), and then the repository
# is reported as failed and nothing is committed. dockmend writes only files it
# changes, so an untouched repository gets no pull request.
#
# A repository's own dockmend.yaml is used when it has one; otherwise the
# organisation's policy in $DOCKMEND_ORG_POLICY (an absolute path) when set,
# else the built-in default policy.
set -euo pipefail
args=(fix --quiet)
if [ ! -e dockmend.yaml ] && [ -n "${DOCKMEND_ORG_POLICY:-}" ]; then
  args+=(--policy "$DOCKMEND_ORG_POLICY")
fi
exec dockmend "${args[@]}" .
