"""Grafana unit ids, checked when a panel is declared.

Grafana accepts any string as a unit and silently shows raw numbers for a typo
("reqs" instead of "reqps"). We refuse unknown ids at declaration time and
suggest the closest known one. The list is Grafana's own
(packages/grafana-data/src/valueFormats/categories.ts); custom units use
Grafana's documented prefixes.
"""

from __future__ import annotations

import difflib

from .errors import DashboardError

# Readable names for the units our dashboards use most. `unit="reqps"` works
# too; these exist so that an editor can complete them.
PERCENT = "percent"  # 0-100
PERCENT_UNIT = "percentunit"  # 0.0-1.0
SHORT = "short"
NONE = "none"
BYTES = "bytes"  # IEC (KiB, MiB)
BYTES_PER_SECOND = "Bps"  # SI (kB/s, MB/s)
BITS_PER_SECOND = "bps"
REQUESTS_PER_SECOND = "reqps"
OPS_PER_SECOND = "ops"
SECONDS = "s"
MILLISECONDS = "ms"
USD = "currencyUSD"
EUR = "currencyEUR"

_KNOWN = """
none string short sishort percent percentunit humidity dB candela hex0x hex sci locale pixel
accMS2 accFS2 accG degree radian grad arcmin arcsec areaM2 areaF2 areaMI2 acres hectares
flops mflops gflops tflops pflops eflops zflops yflops ppm conppb conngm3 conngNm3 conμgm3
conμgNm3 conmgm3 conmgNm3 congm3 congNm3 conmgdL conmmolL
currencyUSD currencyGBP currencyEUR currencyJPY currencyRUB currencyUAH currencyBRL currencyDKK
currencyISK currencyNOK currencySEK currencyCZK currencyCHF currencyPLN currencyBTC currencymBTC
currencyμBTC currencyZAR currencyINR currencyKRW currencyIDR currencyPHP currencyVND currencyTRY
currencyMYR currencyXPF currencyBGN currencyPYG currencyUYU currencyILS
bytes decbytes bits decbits kbytes deckbytes mbytes decmbytes gbytes decgbytes tbytes dectbytes
pbytes decpbytes
pps binBps Bps binbps bps KiBs Kibits KBs Kbits MiBs Mibits MBs Mbits GiBs Gibits GBs Gbits
TiBs Tibits TBs Tbits PiBs Pibits PBs Pbits
dateTimeAsIso dateTimeAsIsoNoDateIfToday dateTimeAsUS dateTimeAsUSNoDateIfToday dateTimeAsLocal
dateTimeAsLocalNoDateIfToday dateTimeAsSystem dateTimeFromNow
watt kwatt megwatt gwatt mwatt Wm2 voltamp kvoltamp voltampreact kvoltampreact watth watthperkg
kwatth kwattm mwatth amph kamph mamph joule ev amp kamp mamp volt kvolt mvolt dBm mohm ohm kohm
Mohm farad µfarad nfarad pfarad ffarad henry mhenry µhenry lumens
flowgpm flowcms flowcfs flowcfm litreh flowlpm flowmlpm lux forceNm forcekNm forceN forcekN
Hs KHs MHs GHs THs PHs EHs massmg massg masslb masskg masst
lengthmm lengthin lengthft lengthm lengthkm lengthmi
pressurembar pressurebar pressurekbar pressurepa pressurehpa pressurekpa pressurehg pressurepsi
radbq radci radgy radrad radsv radmsv radusv radrem radexpckg radr radsvh radmsvh radusvh
rotrpm rothz rotkhz rotmhz rotghz rotrads rotdegs celsius fahrenheit kelvin
hertz ns µs ms s m h d dtdurationms dtdurations dthms dtdhms timeticks clockms clocks
cps ops reqps rps wps iops eps mps recps cpm opm reqpm rpm wpm epm mpm recpm
velocityms velocitykmh velocitymph velocityknot mlitre litre m3 Nm3 dm3 gallons
bool bool_yes_no bool_on_off
"""

KNOWN_UNITS: frozenset[str] = frozenset(_KNOWN.split())

# Grafana's custom-unit syntax: "suffix: req", "currency:CHF", and so on.
CUSTOM_PREFIXES = ("prefix:", "suffix:", "si:", "count:", "currency:", "time:")


def check_unit(unit: str, where: str = "") -> str:
    """Return `unit` if Grafana knows it; raise a DashboardError naming the closest id."""
    if not isinstance(unit, str) or not unit:
        raise DashboardError(f"{where}unit must be a non-empty Grafana unit id such as 'percent' or 'reqps'")
    if unit in KNOWN_UNITS or unit.startswith(CUSTOM_PREFIXES):
        return unit
    close = difflib.get_close_matches(unit, sorted(KNOWN_UNITS), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise DashboardError(
        f"{where}unknown unit {unit!r}{hint} "
        f"(custom units start with one of {', '.join(CUSTOM_PREFIXES)})"
    )


# Prometheus naming conventions (https://prometheus.io/docs/practices/naming/)
# say what a metric measures; we use them to pick a unit when none is given.
_RATE_UNITS = (
    ("_bytes_total", BYTES_PER_SECOND),
    ("_bits_total", BITS_PER_SECOND),
    ("_requests_total", REQUESTS_PER_SECOND),
    ("_seconds_total", PERCENT_UNIT),  # seconds per second: a busy fraction
    ("_total", OPS_PER_SECOND),
)
_VALUE_UNITS = (
    ("_seconds", SECONDS),
    ("_bytes", BYTES),
    ("_ratio", PERCENT_UNIT),
    ("_percent", PERCENT),
)


def unit_for_rate(metric: str) -> str | None:
    """The unit of `rate(metric[...])`, guessed from the metric's name, or None."""
    for suffix, unit in _RATE_UNITS:
        if metric.endswith(suffix):
            return unit
    return None


def unit_for_value(metric: str) -> str | None:
    """The unit of a gauge or histogram named `metric`, or None."""
    base = metric.removesuffix("_bucket")
    for suffix, unit in _VALUE_UNITS:
        if base.endswith(suffix):
            return unit
    return None
