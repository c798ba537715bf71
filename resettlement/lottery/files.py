"""The files a lottery publishes (LOTTERY-SPEC "Published files"): roster.csv once frozen,
pools.csv in mode assign, result.csv once drawn, in the exact bytes the stand-alone verifier
reads. resettlement/lottery/notice.py stores them once; readers get the stored bytes."""

from resettlement import lottery_verify as v1
from resettlement.lottery.models import Lottery, LotteryMode, LotteryStatus


def roster_entries(lottery: Lottery) -> list[v1.Entry]:
    return [
        v1.Entry(group, agreement_no, pool)
        for group, agreement_no, pool in lottery.entries.values_list(
            "group", "agreement_no", "pool"
        )
    ]


def pools_of(lottery: Lottery) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    for pool, code in lottery.pool_flats.values_list("pool", "flat__code"):
        pools.setdefault(pool, []).append(code)
    return pools


def published_file_names(lottery: Lottery) -> list[str]:
    """roster.csv (once frozen), pools.csv (mode assign) and result.csv (once drawn), as the
    notice offers them (LOTTERY-SPEC "Published files")."""
    if lottery.status in (LotteryStatus.DRAFT, LotteryStatus.CANCELLED) and not lottery.frozen_at:
        return []
    names = ["roster.csv"]
    if lottery.mode == LotteryMode.ASSIGN:
        names.append("pools.csv")
    if lottery.status in (LotteryStatus.DRAWN, LotteryStatus.PUBLISHED):
        names.append("result.csv")
    return names


def published_file(lottery: Lottery, name: str) -> str | None:
    """One published file's text, or None when the lottery does not (yet) publish it."""
    if name not in published_file_names(lottery):
        return None
    return _file_text(lottery, name)


def _file_text(lottery: Lottery, name: str) -> str:
    if name == "roster.csv":
        return v1.roster_csv(roster_entries(lottery), lottery.mode)
    if name == "pools.csv":
        return v1.pools_csv(pools_of(lottery))
    rows = lottery.results.order_by("sequence").values_list(
        "entry__group", "entry__agreement_no", "entry__pool", "flat__code"
    )
    order, flats = [], []
    for group, agreement_no, pool, flat_code in rows:
        order.append(v1.Entry(group, agreement_no, pool))
        flats.append(flat_code)
    return v1.result_csv(order, flats if lottery.mode == LotteryMode.ASSIGN else [])


def published_files(lottery: Lottery) -> dict[str, str]:
    """Every published file by name (for a download of the set, the demo and the benchmark)."""
    return {name: _file_text(lottery, name) for name in published_file_names(lottery)}
