"""The words of a dashboard change carry its values (dashboard_words, value_words)."""

from __future__ import annotations

import copy

from publisher.handlers.dashboard_words import dashboard_words, normalise
from publisher.handlers.value_words import expression_change, mapping_texts, thresholds_change


def _dashboard():
    return {
        "title": "API", "uid": "api", "tags": ["api"], "refresh": "1m", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{"name": "env", "type": "query", "query": {"query": "label_values(up, env)"}}]},
        "panels": [
            {"id": 1, "type": "stat", "title": "Up", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
             "targets": [{"refId": "A", "expr": "sum(up)", "legendFormat": "up"}],
             "fieldConfig": {"defaults": {"unit": "short", "min": 0,
                                          "thresholds": {"mode": "absolute", "steps": [
                                              {"value": None, "color": "green"}, {"value": 70, "color": "orange"},
                                              {"value": 90, "color": "red"}]},
                                          "mappings": [{"type": "value", "options": {
                                              "0": {"text": "Down", "color": "red"}}}]},
                             "overrides": []}},
            {"id": 2, "type": "timeseries", "title": "Errors", "gridPos": {"x": 6, "y": 0, "w": 6, "h": 4},
             "targets": [{"refId": "A", "expr": 'sum(rate(http_requests_total{status=~"5.."}[5m]))'}]},
        ],
    }


def words(change):
    old = _dashboard()
    new = copy.deepcopy(old)
    change(new)
    return dashboard_words(normalise(old), normalise(new))


def panel(d, title):
    return next(p for p in d["panels"] if p["title"] == title)


def test_a_threshold_change_shows_both_values_and_the_colour():
    def change(d):
        panel(d, "Up")["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 80
    assert words(change) == ["panel 'Up': thresholds 70 (orange) → 80 (orange)"]


def test_a_query_change_shows_both_expressions_and_a_word_diff_when_long():
    def change(d):
        panel(d, "Up")["targets"][0]["expr"] = "sum(up{job='api'})"
        panel(d, "Errors")["targets"][0]["expr"] = 'sum(rate(http_requests_total{status=~"5.."}[5m])) / 2'
        panel(d, "Up")["targets"][0]["legendFormat"] = "{{job}}"
    assert words(change) == [
        "panel 'Up': query A: sum(up) → sum(up{job='api'})",
        "panel 'Up': query A: legendFormat: 'up' → '{{job}}'",
        "panel 'Errors': query A: sum(rate(http_requests_total{status=~\"5..\"}[5m])) → "
        "sum(rate(http_requests_total{status=~\"5..\"}[5m])) / 2",
    ]


def test_a_mapping_added_and_removed_names_its_text():
    def change(d):
        panel(d, "Up")["fieldConfig"]["defaults"]["mappings"] = [
            {"type": "value", "options": {"1": {"text": "Up", "color": "green"}}}]
    assert words(change) == ["panel 'Up': mapping \"0: 'Down' (red)\" removed",
                             "panel 'Up': mapping \"1: 'Up' (green)\" added"]


def test_unit_and_other_field_config_values_are_shown():
    def change(d):
        defaults = panel(d, "Up")["fieldConfig"]["defaults"]
        defaults["unit"], defaults["min"], defaults["decimals"] = "percent", 10, 2
    assert words(change) == ["panel 'Up': unit 'short' → 'percent'",
                             "panel 'Up': field config decimals: none → 2, min: 0 → 10"]


def test_a_renamed_panel_is_one_line_and_a_moved_one_says_where():
    def change(d):
        panel(d, "Errors")["title"] = "Error rate"
        panel(d, "Up")["gridPos"] = {"x": 12, "y": 0, "w": 6, "h": 4}
    assert words(change) == ["panel 'Up' moved from (0, 0) → (12, 0)", "panel 'Errors' renamed to 'Error rate'"]


def test_a_renamed_panel_with_other_changes_names_them_under_its_new_title():
    def change(d):
        p = panel(d, "Errors")
        p["title"], p["description"] = "Error rate", "5xx per second"
    assert words(change) == ["panel 'Errors' renamed to 'Error rate'",
                             "panel 'Error rate': description: none → '5xx per second'"]


def test_dashboard_level_values():
    def change(d):
        d["title"], d["refresh"], d["tags"] = "API v2", "5m", ["api", "v2"]
        d["time"] = {"from": "now-24h", "to": "now"}
        d["templating"]["list"][0]["query"] = {"query": "label_values(up{job='api'}, env)"}
    assert words(change) == [
        "title: 'API' → 'API v2'", "tags: +v2", "time range: now-6h..now → now-24h..now",
        "refresh interval: '1m' → '5m'", "variable $env: query 'label_values(up, env)' → "
        "\"label_values(up{job='api'}, env)\"",
    ]


def test_added_and_removed_panels_that_are_not_renames():
    def change(d):
        d["panels"] = [panel(d, "Up"), {"type": "text", "title": "Notes", "gridPos": {"x": 0, "y": 9, "w": 6, "h": 2}}]
    assert words(change) == ["panel 'Errors' removed", "panel 'Notes' added"]


def test_value_helpers():
    assert expression_change("a", "b") == "a → b"
    long = "sum by (endpoint) (rate(http_request_duration_seconds_count{job=\"api\"}[5m]))"
    assert expression_change(long, long.replace("5m", "10m")) == \
        "sum by (endpoint) (rate(http_request_duration_seconds_count{job=\"api\"}[[-5m-]{+10m+}]))"
    assert thresholds_change({"steps": [{"value": None, "color": "green"}]},
                             {"steps": [{"value": None, "color": "green"}, {"value": 5.0, "color": "red"}]}) \
        == "base (green) → base (green), 5 (red)"
    assert mapping_texts([{"type": "range", "options": {"from": 10, "to": 20, "result": {"text": "Warm"}}},
                          {"type": "special", "options": {"match": "null", "result": {"text": "N/A"}}}]) \
        == ["10-20: 'Warm'", "null: 'N/A'"]
