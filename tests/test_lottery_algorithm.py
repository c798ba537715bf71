"""Algorithm v1 against an independent reading of shared/LOTTERY-SPEC.md, and the stand-alone
verifier against draws and tampered files."""

import hashlib
import hmac
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resettlement import lottery_verify as v1

ROOT = Path(__file__).resolve().parent.parent

# Agreement numbers as registers write them, Chinese included (trimmed, no tabs or newlines).
agreement_chars = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"), exclude_characters=',"'
)
agreement_numbers = (
    st.text(agreement_chars, min_size=1, max_size=12).map(v1.normalize_agreement_no).filter(bool)
)
secrets_hex = st.binary(min_size=32, max_size=32).map(bytes.hex)
public_inputs = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)


@st.composite
def rosters(draw, mode="order"):
    names = draw(st.lists(agreement_numbers, min_size=1, max_size=40, unique=True))
    pools = ["A", "B", "两室"] if mode == "assign" else [""]
    return [v1.Entry(draw(st.integers(1, 3)), name, draw(st.sampled_from(pools))) for name in names]


def reference_order(entries, secret, public_input, mode="order"):
    """The spec, read literally and written independently of lottery_verify."""
    lines = sorted(entries, key=lambda e: (e.group, e.agreement_no))
    roster = "".join(
        f"{e.group}\t{e.agreement_no}" + (f"\t{e.pool}" if mode == "assign" else "") + "\n"
        for e in lines
    )
    digest = hashlib.sha256(roster.encode("utf-8")).hexdigest()
    seed = hashlib.sha256(f"{secret}|{public_input}|{digest}".encode()).digest()

    def key(e):
        return hmac.new(seed, e.agreement_no.encode("utf-8"), hashlib.sha256).hexdigest()

    order = sorted(entries, key=lambda e: (e.group, key(e), e.agreement_no))
    return digest, seed, order


def published(entries, outcome, mode, pools=None):
    return (
        v1.roster_csv(entries, mode),
        v1.result_csv(outcome.order, outcome.flats),
        v1.pools_csv(pools) if pools else None,
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(), secrets_hex, public_inputs)
def test_draw_follows_the_spec_and_verifies(entries, secret, public_input):
    digest, seed, order = reference_order(entries, secret, public_input)
    outcome = v1.draw(entries, secret_hex=secret, public_input=public_input)
    assert outcome.roster_digest == digest and outcome.seed == seed
    assert [e.agreement_no for e in outcome.order] == [e.agreement_no for e in order]
    expected_text = "".join(f"{i}\t{e.agreement_no}\n" for i, e in enumerate(order, 1))
    assert outcome.result_digest == hashlib.sha256(expected_text.encode()).hexdigest()
    roster, result, _pools = published(entries, outcome, "order")
    checked = v1.verify(
        roster, result, secret_hex=secret, public_input=public_input,
        expected_commitment=hashlib.sha256(secret.encode()).hexdigest(),
        expected_roster_digest=digest, expected_result_digest=outcome.result_digest,
    )  # fmt: skip
    assert checked.entries == len(entries)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(mode="assign"), secrets_hex, public_inputs, st.integers(0, 3))
def test_assign_mode_gives_each_pool_its_flats_in_unit_key_order(
    entries, secret, public_input, spare
):
    pools = {}
    for pool in {e.pool for e in entries}:
        members = sum(1 for e in entries if e.pool == pool)
        pools[pool] = [f"{pool}-{n}" for n in range(members + spare)]
    outcome = v1.draw(
        entries, secret_hex=secret, public_input=public_input, mode="assign", pools=pools
    )
    _digest, seed, order = reference_order(entries, secret, public_input, mode="assign")
    shuffled = {
        p: sorted(
            c, key=lambda code: hmac.new(seed, f"unit:{code}".encode(), hashlib.sha256).hexdigest()
        )
        for p, c in pools.items()
    }
    taken = {}
    for entry, flat in zip(order, outcome.flats, strict=True):
        assert flat == shuffled[entry.pool][taken.get(entry.pool, 0)]
        taken[entry.pool] = taken.get(entry.pool, 0) + 1
    roster, result, pool_file = published(entries, outcome, "assign", pools)
    v1.verify(roster, result, secret_hex=secret, public_input=public_input, pools=pool_file)


def test_a_pool_too_small_cannot_be_drawn():
    entries = [v1.Entry(1, "A1", "p"), v1.Entry(1, "A2", "p")]
    with pytest.raises(v1.LotteryError, match="pool 'p' has 1 flats for 2 households"):
        v1.draw(entries, secret_hex="0" * 64, public_input="1", mode="assign", pools={"p": ["f1"]})


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([v1.Entry(1, "A"), v1.Entry(2, "A")], "appears twice"),
        ([v1.Entry(0, "A")], "positive integer"),
        ([v1.Entry(1, " A")], "trimmed NFC"),
    ],
)
def test_invalid_rosters_are_refused(entries, message):
    with pytest.raises(v1.LotteryError, match=message):
        v1.draw(entries, secret_hex="0" * 64, public_input="x")


SAMPLE = [
    v1.Entry(2, "QLS-0003"),
    v1.Entry(1, "QLS-0007"),
    v1.Entry(2, "QLS-0001"),
    v1.Entry(1, "铁一-0002"),
    v1.Entry(2, "QLS-0010"),
]
SECRET = "3f" * 32
PUBLIC = "07 21 33 48"


def sample_files():
    outcome = v1.draw(SAMPLE, secret_hex=SECRET, public_input=PUBLIC)
    return v1.roster_csv(SAMPLE), v1.result_csv(outcome.order), outcome


def test_group_one_always_chooses_first():
    _roster, _result, outcome = sample_files()
    assert [e.group for e in outcome.order] == [1, 1, 2, 2, 2]


def swap_lines(text, first, second):
    lines = text.splitlines(keepends=True)
    lines[first], lines[second] = lines[second], lines[first]
    return "".join(lines)


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda r, s, p, res: (r.replace("2,QLS-0010\n", ""), s, p, res), "result.csv line"),
        (
            lambda r, s, p, res: (r.replace("1,QLS-0007", "2,QLS-0007"), s, p, res),
            "canonical order",
        ),
        (lambda r, s, p, res: (r.replace("QLS-0003", "QLS-0004"), s, p, res), "result.csv line"),
        (lambda r, s, p, res: (swap_lines(r, 3, 4), s, p, res), "canonical order"),
        (lambda r, s, p, res: (r, s, p, swap_lines(res, 1, 2)), "result.csv line 2"),
        (lambda r, s, p, res: (r, s, p, res + "6,QLS-9999\n"), "6 entries"),
        (lambda r, s, p, res: (r, "3e" + s[2:], p, res), "commitment"),
        (lambda r, s, p, res: (r, s, p + " ", res), "result.csv line"),
    ],
    ids=[
        "drop-entry",
        "change-group",
        "rename-entry",
        "reorder-roster",
        "swap-results",
        "extra-result",
        "other-secret",
        "public-input-space",
    ],
)
def test_verifier_names_the_first_mismatch(tamper, expected):
    roster, result, _outcome = sample_files()
    roster, secret, public_input, result = tamper(roster, SECRET, PUBLIC, result)
    with pytest.raises(v1.Mismatch, match=expected):
        v1.verify(
            roster,
            result,
            secret_hex=secret,
            public_input=public_input,
            expected_commitment=v1.commitment(SECRET),
        )


@given(rosters(), secrets_hex, public_inputs, st.data())
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_any_changed_secret_or_public_input_is_rejected(entries, secret, public_input, data):
    outcome = v1.draw(entries, secret_hex=secret, public_input=public_input)
    roster, result, _pools = published(entries, outcome, "order")
    other_secret = data.draw(secrets_hex.filter(lambda s: s != secret))
    with pytest.raises(v1.Mismatch):
        v1.verify(roster, result, secret_hex=other_secret, public_input=public_input,
                  expected_commitment=v1.commitment(secret))  # fmt: skip
    if len(entries) > 1:  # with one entry, any seed gives the same order
        other_input = public_input + data.draw(st.text(min_size=1, max_size=3))
        order_changed = (
            v1.draw(entries, secret_hex=secret, public_input=other_input).order != outcome.order
        )
        if order_changed:
            with pytest.raises(v1.Mismatch):
                v1.verify(roster, result, secret_hex=secret, public_input=other_input)


def run_standalone(tmp_path, *args):
    """The verifier copied on its own and run by a Python that cannot import Django (-I -S:
    no site-packages), as a notary would."""
    script = tmp_path / "lottery_verify.py"
    shutil.copy(ROOT / "resettlement" / "lottery_verify.py", script)
    return subprocess.run(
        [sys.executable, "-I", "-S", str(script), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )


def test_standalone_verifier_says_verified(tmp_path):
    roster, result, outcome = sample_files()
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "result.csv").write_text(result, encoding="utf-8")
    done = run_standalone(
        tmp_path, "roster.csv", "result.csv", "--secret", SECRET, "--public-input", PUBLIC,
        "--commitment", v1.commitment(SECRET), "--roster-digest", outcome.roster_digest,
        "--result-digest", outcome.result_digest,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("verified")
    assert outcome.roster_digest in done.stdout


def test_standalone_verifier_exits_non_zero_naming_the_mismatch(tmp_path):
    roster, result, _outcome = sample_files()
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "result.csv").write_text(swap_lines(result, 1, 2), encoding="utf-8")
    done = run_standalone(
        tmp_path, "roster.csv", "result.csv", "--secret", SECRET, "--public-input", PUBLIC
    )
    assert done.returncode == 1
    assert done.stdout.startswith("MISMATCH: result.csv line 2")


def test_module_form_runs_too(tmp_path):
    roster, result, _outcome = sample_files()
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "result.csv").write_text(result, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "resettlement.lottery_verify", str(tmp_path / "roster.csv"), str(tmp_path / "result.csv"),
         "--secret", SECRET, "--public-input", PUBLIC],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0 and "verified" in done.stdout


def test_files_it_cannot_read_exit_2(tmp_path):
    (tmp_path / "roster.csv").write_text("id,name\n1,2\n", encoding="utf-8")
    (tmp_path / "result.csv").write_text("sequence,agreement_no\n", encoding="utf-8")
    done = run_standalone(
        tmp_path, "roster.csv", "result.csv", "--secret", SECRET, "--public-input", PUBLIC
    )
    assert done.returncode == 2 and "header" in done.stderr
