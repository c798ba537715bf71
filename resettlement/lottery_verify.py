"""Verifiable lottery, algorithm v1 (shared/LOTTERY-SPEC.md), and its stand-alone verifier.

This file is the public contract. The system draws with these functions, and anyone holding a
lottery's published files can check the draw with this very file and nothing else: it uses only
Python's standard library (no Django), e.g.

    python3 lottery_verify.py lottery-12-roster.csv lottery-12-result.csv \\
        --secret 3f1c…(64 hex) --public-input "07 21 33 48" --commitment 9ab2…(64 hex) \\
        --roster-digest 5d0e…(64 hex) --result-digest 77c1…(64 hex)

(mode assign adds `--pools lottery-12-pools.csv`; the public notice prints the whole command
with its own values and the names its files download under).

It recomputes the roster digest, the commitment, the seed, every draw key and the order (and in
mode `assign` the flats), prints the digests for comparison with the public notice, and exits 0
with "verified", or 1 naming the first mismatch (2 for files it cannot read).
"""

import argparse
import csv
import hashlib
import hmac
import io
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

ALGORITHM = "v1"
MODES = ("order", "assign")


class LotteryError(ValueError):
    """Inputs the algorithm refuses (duplicate entries, a pool too small, a bad group...)."""


class Mismatch(Exception):
    """The published files do not verify; the message names the first difference."""


@dataclass(frozen=True)
class Entry:
    group: int
    agreement_no: str
    pool: str = ""


@dataclass(frozen=True)
class Draw:
    """The outcome: entries in sequence order (sequence = position + 1), with flats in `assign`."""

    roster_digest: str
    seed: bytes
    order: tuple[Entry, ...]
    flats: tuple[str, ...]  # empty in mode order; otherwise flats[i] goes to order[i]
    result_text: str
    result_digest: str
    keys: tuple[str, ...] = ()  # keys[i] is the draw key of order[i]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_agreement_no(value: str) -> str:
    """As stored: trimmed and NFC-normalised."""
    return unicodedata.normalize("NFC", value.strip())


def _check_entries(entries: Sequence[Entry], mode: str) -> None:
    if mode not in MODES:
        raise LotteryError(f"unknown mode {mode!r}")
    seen = set()
    for entry in entries:
        if not isinstance(entry.group, int) or isinstance(entry.group, bool) or entry.group < 1:
            raise LotteryError(f"group of {entry.agreement_no!r} must be a positive integer")
        agreement_no = entry.agreement_no
        if (
            not agreement_no
            or agreement_no != agreement_no.strip()
            or not unicodedata.is_normalized("NFC", agreement_no)
        ):
            raise LotteryError(f"agreement number {entry.agreement_no!r} is not trimmed NFC text")
        if "\t" in agreement_no or "\n" in agreement_no or "\r" in agreement_no:
            raise LotteryError(f"agreement number {entry.agreement_no!r} contains a tab or newline")
        if entry.agreement_no in seen:
            raise LotteryError(f"agreement number {entry.agreement_no!r} appears twice")
        seen.add(entry.agreement_no)
        if mode == "assign" and not entry.pool:
            raise LotteryError(f"entry {entry.agreement_no!r} has no pool (mode assign)")


def canonical(entries: Iterable[Entry]) -> list[Entry]:
    """Sorted by group (numerically), then agreement number (by Unicode code point)."""
    return sorted(entries, key=lambda entry: (entry.group, entry.agreement_no))


def roster_text(entries: Iterable[Entry], mode: str = "order") -> str:
    lines = []
    for entry in canonical(entries):
        fields = [str(entry.group), entry.agreement_no]
        if mode == "assign":
            fields.append(entry.pool)
        lines.append("\t".join(fields) + "\n")
    return "".join(lines)


def roster_digest(entries: Iterable[Entry], mode: str = "order") -> str:
    return sha256_hex(roster_text(entries, mode))


def commitment(secret_hex: str) -> str:
    return sha256_hex(secret_hex)


def seed(secret_hex: str, public_input: str, digest: str) -> bytes:
    return hashlib.sha256(f"{secret_hex}|{public_input}|{digest}".encode()).digest()


def draw_key(seed_bytes: bytes, agreement_no: str) -> str:
    return hmac.new(seed_bytes, agreement_no.encode("utf-8"), hashlib.sha256).hexdigest()


def _draw_keys(seed_bytes: bytes, agreement_nos: Iterable[str]) -> list[str]:
    """draw_key for many entries: the keyed state is prepared once and copied per entry."""
    keyed = hmac.new(seed_bytes, digestmod=hashlib.sha256)
    keys = []
    for agreement_no in agreement_nos:
        state = keyed.copy()
        state.update(agreement_no.encode("utf-8"))
        keys.append(state.hexdigest())
    return keys


def unit_key(seed_bytes: bytes, flat_code: str) -> str:
    return hmac.new(seed_bytes, f"unit:{flat_code}".encode(), hashlib.sha256).hexdigest()


def check_secret(secret_hex: str) -> None:
    if len(secret_hex) != 64 or any(char not in "0123456789abcdef" for char in secret_hex):
        raise LotteryError("the secret must be 64 lowercase hexadecimal characters")


def draw(
    entries: Sequence[Entry],
    *,
    secret_hex: str,
    public_input: str,
    mode: str = "order",
    pools: Mapping[str, Sequence[str]] | None = None,
    digest: str | None = None,
) -> Draw:
    """The v1 draw. In mode `assign`, `pools` maps each pool label to its flat codes.
    `digest`: the roster digest when the caller has just computed it (not recomputed)."""
    _check_entries(entries, mode)
    check_secret(secret_hex)
    digest = digest or roster_digest(entries, mode)
    seed_bytes = seed(secret_hex, public_input, digest)
    keys = _draw_keys(seed_bytes, (entry.agreement_no for entry in entries))
    keyed = [
        (entry.group, key, entry.agreement_no, entry)
        for entry, key in zip(entries, keys, strict=True)
    ]
    keyed.sort()  # by group, key, agreement number: unique, so entries are never compared
    order = tuple(item[3] for item in keyed)
    flats: tuple[str, ...] = ()
    if mode == "assign":
        flats = _assign(order, pools or {}, seed_bytes)
    text = result_text(order, flats)
    ordered_keys = tuple(item[1] for item in keyed)
    return Draw(digest, seed_bytes, order, flats, text, sha256_hex(text), ordered_keys)


def _assign(
    order: Sequence[Entry], pools: Mapping[str, Sequence[str]], seed_bytes: bytes
) -> tuple[str, ...]:
    wanted: dict[str, int] = {}
    for entry in order:
        wanted[entry.pool] = wanted.get(entry.pool, 0) + 1
    all_codes = [code for codes in pools.values() for code in codes]
    if len(all_codes) != len(set(all_codes)):
        raise LotteryError("a flat code appears in more than one place in the pools")
    for pool, count in sorted(wanted.items()):
        available = len(pools.get(pool, ()))
        if available < count:
            raise LotteryError(f"pool {pool!r} has {available} flats for {count} households")
    shuffled = {
        pool: sorted(codes, key=lambda code: unit_key(seed_bytes, code))
        for pool, codes in pools.items()
    }
    taken: dict[str, int] = {}
    flats = []
    for entry in order:
        index = taken.get(entry.pool, 0)
        flats.append(shuffled[entry.pool][index])
        taken[entry.pool] = index + 1
    return tuple(flats)


def result_text(order: Sequence[Entry], flats: Sequence[str] = ()) -> str:
    lines = []
    for position, entry in enumerate(order):
        fields = [str(position + 1), entry.agreement_no]
        if flats:
            fields.append(flats[position])
        lines.append("\t".join(fields) + "\n")
    return "".join(lines)


# Published files (UTF-8 CSV with a header row).


def roster_csv(entries: Iterable[Entry], mode: str = "order") -> str:
    rows = [["group", "agreement_no", *(["pool"] if mode == "assign" else [])]]
    for entry in canonical(entries):
        rows.append(
            [str(entry.group), entry.agreement_no, *([entry.pool] if mode == "assign" else [])]
        )
    return _csv(rows)


def pools_csv(pools: Mapping[str, Sequence[str]]) -> str:
    rows = [["pool", "flat_code"]]
    rows += [[pool, code] for pool in sorted(pools) for code in sorted(pools[pool])]
    return _csv(rows)


def result_csv(order: Sequence[Entry], flats: Sequence[str] = ()) -> str:
    rows = [["sequence", "agreement_no", *(["flat_code"] if flats else [])]]
    for position, entry in enumerate(order):
        rows.append([str(position + 1), entry.agreement_no, *([flats[position]] if flats else [])])
    return _csv(rows)


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _rows(text: str, header: list[str], name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [row for row in reader if row]
    if not rows or [cell.strip() for cell in rows[0]] != header:
        raise LotteryError(f"{name}: the header must be {','.join(header)}")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise LotteryError(f"{name} line {number}: expected {len(header)} fields")
    return rows[1:]


def read_roster(text: str) -> tuple[list[Entry], str]:
    """Entries and mode (`assign` when the roster has a pool column)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    mode = "assign" if first.endswith(",pool") else "order"
    header = ["group", "agreement_no", *(["pool"] if mode == "assign" else [])]
    entries = []
    for number, row in enumerate(_rows(text, header, "roster.csv"), start=2):
        try:
            group = int(row[0])
        except ValueError:
            raise LotteryError(
                f"roster.csv line {number}: group {row[0]!r} is not a number"
            ) from None
        entries.append(Entry(group, row[1], row[2] if mode == "assign" else ""))
    return entries, mode


def read_pools(text: str) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    for pool, code in _rows(text, ["pool", "flat_code"], "pools.csv"):
        pools.setdefault(pool, []).append(code)
    return pools


def read_result(text: str, mode: str) -> list[list[str]]:
    header = ["sequence", "agreement_no", *(["flat_code"] if mode == "assign" else [])]
    return _rows(text, header, "result.csv")


@dataclass(frozen=True)
class Verification:
    roster_digest: str
    commitment: str
    result_digest: str
    entries: int


def verify(
    roster: str,
    result: str,
    *,
    secret_hex: str,
    public_input: str,
    expected_commitment: str | None = None,
    pools: str | None = None,
    expected_roster_digest: str | None = None,
    expected_result_digest: str | None = None,
) -> Verification:
    """Check published files; raise Mismatch naming the first difference."""
    entries, mode = read_roster(roster)
    if mode == "assign" and pools is None:
        raise Mismatch("the roster has pools (mode assign): give pools.csv with --pools")
    canonical_text = roster_csv(entries, mode)
    if roster.lstrip("\ufeff").replace("\r\n", "\n") != canonical_text:
        raise Mismatch("roster.csv is not in canonical order (group, then agreement number)")
    digest = roster_digest(entries, mode)
    if expected_roster_digest and digest != expected_roster_digest.lower():
        raise Mismatch(f"roster digest is {digest}, the notice says {expected_roster_digest}")
    secret_commitment = commitment(secret_hex)
    if expected_commitment and secret_commitment != expected_commitment.lower():
        raise Mismatch(
            f"commitment: SHA-256 of the secret is {secret_commitment}, "
            f"the published commitment is {expected_commitment}"
        )
    try:
        outcome = draw(
            entries,
            secret_hex=secret_hex,
            public_input=public_input,
            mode=mode,
            pools=read_pools(pools) if pools is not None else None,
            digest=digest,
        )
    except LotteryError as error:
        raise Mismatch(str(error)) from None
    if result.lstrip("\ufeff").replace("\r\n", "\n") != result_csv(outcome.order, outcome.flats):
        # Not byte for byte the file the draw gives: compare row by row to name the difference.
        _compare_rows(read_result(result, mode), outcome)
    if expected_result_digest and outcome.result_digest != expected_result_digest.lower():
        raise Mismatch(
            f"result digest is {outcome.result_digest}, the notice says {expected_result_digest}"
        )
    return Verification(digest, secret_commitment, outcome.result_digest, len(entries))


def _compare_rows(published: list[list[str]], outcome: Draw) -> None:
    expected_rows = [line.split("\t") for line in outcome.result_text.splitlines()]
    for number, (found, wanted) in enumerate(zip(published, expected_rows, strict=False), start=2):
        if found != wanted:
            raise Mismatch(
                f"result.csv line {number}: found {','.join(found)}, recomputed {','.join(wanted)}"
            )
    if len(published) != len(expected_rows):
        raise Mismatch(
            f"result.csv has {len(published)} entries, the roster has {len(expected_rows)}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 lottery_verify.py",
        description="Verify a published lottery draw (algorithm v1) from its published files.",
    )
    parser.add_argument("roster", help="roster.csv as published")
    parser.add_argument("result", help="result.csv as published")
    parser.add_argument("--secret", required=True, help="the revealed secret (64 hex characters)")
    parser.add_argument(
        "--public-input", required=True, help="the public input, exactly as published"
    )
    parser.add_argument("--commitment", help="the commitment published before the draw")
    parser.add_argument("--pools", help="pools.csv (mode assign)")
    parser.add_argument("--roster-digest", help="the roster digest on the notice")
    parser.add_argument("--result-digest", help="the result digest on the notice")
    args = parser.parse_args(argv)
    try:
        texts = [_read(path) for path in (args.roster, args.result)]
        pools = _read(args.pools) if args.pools else None
        outcome = verify(
            texts[0],
            texts[1],
            secret_hex=args.secret,
            public_input=args.public_input,
            expected_commitment=args.commitment,
            pools=pools,
            expected_roster_digest=args.roster_digest,
            expected_result_digest=args.result_digest,
        )
    except Mismatch as mismatch:
        print(f"MISMATCH: {mismatch}")
        return 1
    except (OSError, LotteryError, UnicodeDecodeError) as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    print(f"algorithm:     {ALGORITHM}")
    print(f"entries:       {outcome.entries}")
    print(f"roster digest: {outcome.roster_digest}")
    print(f"commitment:    {outcome.commitment}")
    print(f"result digest: {outcome.result_digest}")
    print("verified")
    return 0


def _read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


if __name__ == "__main__":
    sys.exit(main())
