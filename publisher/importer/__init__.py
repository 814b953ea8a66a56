"""`dash import`: dashboards from Grafana JSON to Python modules, and the proof that nothing was lost.

    sources.py          read a source, unwrap the dashboard (export, API envelope, bare)
    migrate.py          Grafana's load migrations, to schemaVersion 42 (angular.py, angular_stat.py: Angular panels)
    codegen.py          the module's source: layout_fit.py (rows), dashboard_args.py (the Dashboard call),
                        helpers.py, promql_helpers.py, dashboard_parts.py (SDK calls where exact), literal.py
    check.py            the value-by-value comparison
    run.py              the command: write the modules, or build each through dash's loader and compare
"""
