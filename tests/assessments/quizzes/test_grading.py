"""The scoring rules of assessments.quizzes.grading, type by type (pure functions)."""

import itertools
from decimal import Decimal
from fractions import Fraction as F

import pytest

from assessments.quizzes import grading as g

# Multiple choice: options 1, 2, 3 correct; 4, 5 wrong; default weights +1/3 and −1/2.
MC = g.choice_weights([(1, True, None), (2, True, None), (3, True, None), (4, False, None), (5, False, None)])


def test_default_weights_are_equal_shares():
    assert MC == {1: F(1, 3), 2: F(1, 3), 3: F(1, 3), 4: F(-1, 2), 5: F(-1, 2)}


def test_explicit_weights_are_kept():
    weights = g.choice_weights([(1, True, Decimal("0.75")), (2, True, Decimal("0.25")), (3, False, None)])
    assert weights == {1: F(3, 4), 2: F(1, 4), 3: F(-1)}


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ([1, 2, 3], F(1)),
        ([1, 2], F(2, 3)),
        ([1], F(1, 3)),
        ([], F(0)),
        ([1, 2, 4], F(1, 6)),  # 2/3 − 1/2
        ([1, 4], F(0)),  # 1/3 − 1/2 floored at 0
        ([1, 2, 3, 4, 5], F(0)),  # ticking every box earns nothing
        ([1, 2, 3, 4], F(1, 2)),
        ([1, 1, 1], F(1, 3)),  # a repeat counts once
        ([99], F(0)),  # unknown option
    ],
)
def test_multiple_choice_partial_credit(chosen, expected):
    assert g.grade_multiple_choice(weights=MC, answer={"choices": chosen}) == expected


def test_multiple_choice_score_never_leaves_0_1_for_any_selection():
    # Exhaustive over the 32 subsets: the rule's bounds hold, and only the exact set is 1.
    for r in range(6):
        for subset in itertools.combinations([1, 2, 3, 4, 5], r):
            value = g.grade_multiple_choice(weights=MC, answer={"choices": list(subset)})
            assert 0 <= value <= 1
            assert (value == 1) == (set(subset) == {1, 2, 3})


@pytest.mark.parametrize("answer", [{}, {"choices": "1,2"}, {"choices": None}, None, "x"])
def test_multiple_choice_malformed_answers_earn_zero(answer):
    assert g.grade_multiple_choice(weights=MC, answer=answer or {}) == 0


def test_single_choice():
    weights = g.choice_weights(
        [(10, True, Decimal("1")), (11, False, Decimal("0.5")), (12, False, Decimal("-1"))]
    )
    assert g.grade_single_choice(weights=weights, answer={"choice": 10}) == 1
    assert g.grade_single_choice(weights=weights, answer={"choice": 11}) == F(1, 2)
    assert g.grade_single_choice(weights=weights, answer={"choice": 12}) == 0  # floored
    assert g.grade_single_choice(weights=weights, answer={"choice": 13}) == 0
    assert g.grade_single_choice(weights=weights, answer={}) == 0


MATCH_EXPECTED = {"1": "VNeID", "2": "Cổng DVC", "3": "eTax"}
MATCH_OFFERED = ["eTax", "Zalo", "VNeID", "Cổng DVC"]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ({"1": 2, "2": 3, "3": 0}, F(1)),
        ({"1": 2, "2": 3, "3": 1}, F(2, 3)),
        ({"1": 2}, F(1, 3)),
        ({"1": 1, "2": 1, "3": 1}, F(0)),
        ({"1": 9, "2": -1, "3": "0"}, F(0)),  # out of range, negative, not an int
        ({}, F(0)),
    ],
)
def test_matching_share_of_prompts(pairs, expected):
    assert (
        g.grade_matching(expected=MATCH_EXPECTED, offered=MATCH_OFFERED, answer={"pairs": pairs}) == expected
    )


def test_matching_two_prompts_may_share_one_answer_text():
    expected = {"1": "Có", "2": "Có", "3": "Không"}
    assert (
        g.grade_matching(
            expected=expected, offered=["Không", "Có"], answer={"pairs": {"1": 1, "2": 1, "3": 0}}
        )
        == 1
    )


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([1, 2, 3, 4], F(1)),
        ([2, 1, 3, 4], F(2, 3)),  # 5 pairs right, 1 wrong: (5 − 1) / 6
        ([1, 2, 4, 3], F(2, 3)),
        ([4, 1, 2, 3], F(0)),  # 3 right, 3 wrong
        ([4, 3, 2, 1], F(0)),  # reversed: tau −1, floored
        ([1, 3, 2, 4], F(2, 3)),
        ([1, 2, 3], F(0)),  # not every item
        ([1, 2, 3, 3], F(0)),  # a repeat
        ([1, 2, 3, 5], F(0)),  # a stranger
        ("1234", F(0)),
    ],
)
def test_ordering_kendall_tau_floored(order, expected):
    assert g.grade_ordering(correct_order=[1, 2, 3, 4], answer={"order": order}) == expected


def test_ordering_scores_are_within_bounds_for_every_permutation():
    correct = [1, 2, 3, 4, 5]
    values = [
        g.grade_ordering(correct_order=correct, answer={"order": list(p)})
        for p in itertools.permutations(correct)
    ]
    assert all(0 <= v <= 1 for v in values)
    assert values.count(F(1)) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3,5", Decimal("3.5")),
        ("3.5", Decimal("3.5")),
        (" 6 ", Decimal("6")),
        ("-2", Decimal("-2")),
        ("1.000.000", Decimal("1000000")),
        ("1,234.5", Decimal("1234.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1 000", Decimal("1000")),
        (7, Decimal("7")),
        (2.5, Decimal("2.5")),
        ("", None),
        ("sáu", None),
        ("Infinity", None),
        ("NaN", None),
        (True, None),
        (None, None),
    ],
)
def test_parse_number(raw, expected):
    assert g.parse_number(raw) == expected


NUMERIC = [(Decimal("3.14"), Decimal("0.01"), Decimal("1")), (Decimal("3"), Decimal("0"), Decimal("0.5"))]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3,14", F(1)),
        ("3.15", F(1)),  # on the edge of the tolerance
        ("3.13", F(1)),
        ("3.16", F(0)),
        ("3.151", F(0)),
        ("3", F(1, 2)),  # partial answer
        ("abc", F(0)),
        ("", F(0)),
    ],
)
def test_numeric_tolerance(value, expected):
    assert g.grade_numeric(accepted=NUMERIC, answer={"value": value}) == expected


TEXT = [("Hà Nội", Decimal("1")), ("Thăng Long", Decimal("0.5")), ("Thành phố Hà Nội", Decimal("1"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội", F(1)),
        ("ha noi", F(1)),
        ("  HÀ   NỘI. ", F(1)),
        ("Hà Nội!", F(1)),
        ("thanh pho ha noi", F(1)),
        ("thang long", F(1, 2)),
        ("Hanoi", F(0)),  # a variant only if the author lists it
        ("Hà Nội là thủ đô", F(0)),
        ("", F(0)),
        ("...", F(0)),
    ],
)
def test_short_text_folded_variants(text, expected):
    assert g.grade_short_text(accepted=TEXT, answer={"text": text}) == expected


def test_short_text_unicode_forms_and_tone_placement_match():
    # Decomposed input (NFD, as some keyboards send) and "hoà" / "hòa" meet after folding.
    import unicodedata

    assert g.grade_short_text(accepted=[("Hòa Bình", Decimal("1"))], answer={"text": "Hoà Bình"}) == 1
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert g.grade_short_text(accepted=TEXT, answer={"text": nfd}) == 1


@pytest.mark.parametrize(
    ("points", "fraction", "expected"),
    [
        (Decimal("1"), F(1, 3), Decimal("0.33")),
        (Decimal("2"), F(1, 3), Decimal("0.67")),
        (Decimal("1"), F(1, 8), Decimal("0.13")),  # half-up, not banker's rounding
        (Decimal("10"), F(1, 6), Decimal("1.67")),
        (Decimal("1.5"), F(1), Decimal("1.50")),
        (Decimal("3"), F(0), Decimal("0.00")),
    ],
)
def test_score_rounding(points, fraction, expected):
    assert g.score_for(points=points, fraction=fraction) == expected


GARBAGE = [None, "x", 1, [], {}, [[1]], {"a": 1}, True, 1.5, "12"]


@pytest.mark.parametrize("junk", GARBAGE)
def test_grading_never_fails_on_garbage(junk):
    # Answers are checked when saved, but grading must hold even for rows written
    # another way: whatever the stored JSON, the result is a fraction in [0, 1].
    for key in ("choice", "choices", "pairs", "order", "value", "text"):
        answer = {key: junk}
        results = [
            g.grade_single_choice(weights=MC, answer=answer),
            g.grade_multiple_choice(weights=MC, answer=answer),
            g.grade_matching(expected=MATCH_EXPECTED, offered=MATCH_OFFERED, answer=answer),
            g.grade_ordering(correct_order=[1, 2, 3, 4], answer=answer),
            g.grade_numeric(accepted=NUMERIC, answer=answer),
            g.grade_short_text(accepted=TEXT, answer=answer),
        ]
        assert all(0 <= r <= 1 for r in results)
    assert g.grade_ordering(correct_order=[1, 2], answer={"order": ["1", "2"]}) == 0
    assert g.grade_multiple_choice(weights=MC, answer={"choices": [[1], 1, "2"]}) == F(1, 3)
