"""`.github/workflows/dash.yml`: docs/ci/github-actions.yml adapted to a repository that holds only
dashboards (dash pinned from git, no Loki secret). A constant, because docs/ is not in the wheel;
tests/test_init.py checks it runs the same dash commands as the docs file."""

GITHUB_WORKFLOW = r'''# dash in GitHub Actions: lint and diff every pull request (the diff posted as a comment), publish
# to prod on every push to main. Written by `dash init` from dash's docs/ci/github-actions.yml.
#
# Before it can diff or publish: uncomment the `prod` environment in dash.yaml and add the secret
# (Settings > Secrets and variables > Actions):
#   GRAFANA_TOKEN   the Grafana service-account token of the prod environment. dash.yaml names the
#                   variable, never the value: `token: {env: GRAFANA_TOKEN}` under environments.prod.
# Pull requests from forks get no secrets, so their diff job fails at the token (exit 1).

name: dash

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  diff:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write  # for gh pr comment
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      # This repository holds only dashboards: pin the release of dash it is written for
      # (edit OWNER and the tag to where your dash comes from).
      - name: Install dash
        shell: bash
        run: |
          pip install "grafana-dash @ git+https://github.com/OWNER/dash@v0.1.0"
          # Ubuntu ships a shell named dash (/usr/bin/dash); setup-python's bin comes first on PATH,
          # and this fails loudly if it ever does not.
          dash --version
      - name: Lint
        shell: bash
        run: dash lint
      - name: Diff
        id: diff
        shell: bash
        env:
          GRAFANA_TOKEN: ${{ secrets.GRAFANA_TOKEN }}
        run: |
          # dash diff exits 0 = no changes, 2 = changes, 1 = error. A pull request that changes a
          # dashboard is the point of the pull request, so 2 is a success; only 1 (or anything else)
          # fails the job. set +e, because the step's shell (bash -e) would stop at the 2.
          set +e
          dash diff --env prod --output markdown > diff.md
          rc=$?
          set -e
          # click also exits 2 on a usage error (an unknown flag), and then writes no diff.
          if [ "$rc" -eq 2 ] && [ ! -s diff.md ]; then
            echo "::error::dash diff exited 2 without a diff: a usage error (see the log above)"
            exit 2
          fi
          case "$rc" in
            0) echo "changes=false" >> "$GITHUB_OUTPUT" ;;
            2) echo "changes=true" >> "$GITHUB_OUTPUT" ;;
            *) echo "::error::dash diff failed with exit status $rc (see the log above)"; exit "$rc" ;;
          esac
      - name: Comment the diff on the pull request
        shell: bash
        env:
          GH_TOKEN: ${{ github.token }}
          GH_REPO: ${{ github.repository }}
          PR: ${{ github.event.pull_request.number }}
        run: |
          # GitHub refuses a comment over 65536 characters; the whole diff stays in the artifact.
          if [ "$(wc -c < diff.md)" -gt 60000 ]; then
            head -c 60000 diff.md > comment.md
            printf '\n\n(truncated: the whole diff is in the diff-md artifact of this run)\n' >> comment.md
          else
            cp diff.md comment.md
          fi
          # One comment per pull request, updated on each push; the first run has none to edit.
          gh pr comment "$PR" --edit-last --body-file comment.md || gh pr comment "$PR" --body-file comment.md
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: diff-md
          path: diff.md
          if-no-files-found: ignore

  publish:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    # One publish at a time: a second push waits for the first to finish. Never cancel one in
    # flight (a cancelled publish stops cleanly with 143, but leaves the rest for the next run).
    concurrency:
      group: dash-publish-prod
      cancel-in-progress: false
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install dash
        shell: bash
        run: |
          pip install "grafana-dash @ git+https://github.com/OWNER/dash@v0.1.0"
          dash --version
      # publish lints first and refuses dashboards that fail (no --skip-lint here), and it refuses
      # a dashboard edited in Grafana since (no --force): both fail the job with exit status 1.
      - name: Publish
        shell: bash
        env:
          GRAFANA_TOKEN: ${{ secrets.GRAFANA_TOKEN }}
        run: dash publish --env prod
'''
