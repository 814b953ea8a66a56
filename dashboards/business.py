"""Business metrics: users and revenue.

The guide names the panels but gives no queries. The metrics they read are
defined in the README ("Business metrics the application exports"): the
application must export them for these panels to show data.
"""

from _shared import BUSINESS_UID, PROMETHEUS, links_from

from publisher.sdk import Dashboard, Query, gauge, heatmap, low_is_bad, stat, timeseries, units
from publisher.sdk import thresholds as steps

MRR = "sum(app_subscription_mrr_dollars)"
ARPU = f'{MRR} / sum(app_active_users{{window="30d"}})'
MONTHLY_CHURN = "sum(increase(app_subscription_cancellations_total[30d])) / sum(app_subscriptions_active offset 30d)"
ARPA = f"{MRR} / sum(app_subscriptions_active)"  # revenue per paying account

business = Dashboard(
    "Business metrics",
    uid=BUSINESS_UID,
    folder="Business",
    tags=["business", "analytics"],
    description="Sign-ups, activity, retention and conversion; recurring revenue and churn.",
    datasource=PROMETHEUS,
    links=links_from(BUSINESS_UID),
    time=("now-30d", "now"),
    refresh="15m",
)

business.row(
    "User metrics",
    timeseries(
        "New users",
        Query("sum by (source) (increase(app_user_registrations_total[1d]))", legend="{{source}}", interval="1d"),
        unit=units.SHORT,
        stack=True,
        fill=80,
        description="Registrations per day, stacked by acquisition source.",
        extra_json={"fieldConfig": {"defaults": {"custom": {"drawStyle": "bars"}}}},
    ),
    timeseries(
        "Daily active users",
        Query('max(app_active_users{window="1d"})', legend="DAU"),
        Query('max(app_active_users{window="30d"})', legend="MAU"),
        unit=units.SHORT,
        description="Distinct users active in the last day (DAU) and the last 30 days (MAU).",
    ),
    heatmap(
        "User retention",
        Query("max by (weeks_since_signup) (app_user_retention_ratio)", legend="{{weeks_since_signup}}"),
        scheme="Blues",
        description="Each column is one day; row N is the share of the cohort that signed up N weeks "
        "earlier which is still active. Darker is better.",
        # The ratio is the cells' value; the y axis is weeks since signup, one row per series.
        cell_unit=units.PERCENT_UNIT,
    ),
    gauge(
        "Conversion rate",
        Query(
            "sum(increase(app_conversions_total[7d])) / sum(increase(app_user_registrations_total[7d]))",
            instant=True,
        ),
        unit=units.PERCENT_UNIT,
        min=0,
        max=0.2,
        thresholds=low_is_bad(0.02, 0.05),
        description="Free-to-paid conversions in the last 7 days divided by registrations in the same 7 days.",
    ),
)

business.row(
    "Revenue metrics",
    timeseries(
        "Monthly recurring revenue",
        Query("sum by (plan) (app_subscription_mrr_dollars)", legend="{{plan}}"),
        unit=units.USD,
        stack=True,
        description="Recurring revenue normalised to a month, stacked by plan.",
    ),
    stat(
        "Average revenue per user",
        Query(ARPU, instant=True),
        unit=units.USD,
        decimals=2,
        graph=False,
        description="MRR divided by monthly active users (active in the last 30 days).",
    ),
    timeseries(
        "Subscription churn",
        Query(MONTHLY_CHURN, legend="monthly churn"),
        unit=units.PERCENT_UNIT,
        min=0,
        thresholds=steps("green", (0.03, "orange"), (0.07, "red")),
        description="Cancellations in the last 30 days divided by the subscriptions active 30 days ago.",
    ),
    stat(
        "Lifetime value",
        Query(f"({ARPA}) / ({MONTHLY_CHURN})", instant=True),
        unit=units.USD,
        decimals=0,
        graph=False,
        description="Average monthly revenue per paying account divided by monthly churn: "
        "the revenue an account brings before it cancels.",
    ),
)
