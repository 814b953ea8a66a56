"""A picture of each dashboard without a Grafana: its panels as boxes where Grafana would draw them.

- `layout.py`: the boxes, from a dashboard's JSON, on Grafana's grid;
- `page.py`: one self-contained HTML page per dashboard (inline CSS, no script), and an index;
- `diff_pages.py`: the before and after of each dashboard a plan changes, the changed panels marked.
"""
