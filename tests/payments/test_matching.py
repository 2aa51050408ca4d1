"""The reconciliation engine: statement lines against open orders, no database."""

from __future__ import annotations

import random
from datetime import date

import pytest

from payments.matching import (
    AUTO,
    EXACT,
    IGNORED,
    NONE,
    OVER,
    PARTIAL,
    REVIEW,
    Matcher,
    OpenOrder,
    Reason,
    name_agreement,
    name_tokens,
)
from payments.references import reference_create, reference_format
from payments.statements.types import StatementLine

IBAN_ANNA = "HU42117730161111101800000000"
IBAN_OTHER = "HU02120100090012345600000000"


def order(order_id: int, amount: int = 5000, name: str = "Kovács Anna", iban: str = "") -> OpenOrder:
    return OpenOrder(order_id, reference_create(order_id), amount, name, iban, date(2025, 2, 1))


def line(amount: int, remittance: str = "", name: str = "", iban: str = "", **fields) -> StatementLine:
    return StatementLine(
        booking_date=date(2025, 3, 3),
        value_date=date(2025, 3, 3),
        amount=amount,
        currency=fields.pop("currency", "HUF"),
        counterparty_name=name,
        counterparty_iban=iban,
        remittance=remittance,
        **fields,
    )


def codes(suggestion) -> list[str]:
    return [reason.code for reason in suggestion.reasons]


# --- rule 1: exact reference ---------------------------------------------------------------


def test_exact_structured_reference_and_amount_book_automatically():
    # given an open order
    matcher = Matcher([order(101), order(102)])
    payment = line(5000, structured_reference="RF86HV000000101")
    assert reference_create(101) == "RF86HV000000101"
    # when a payment quotes its reference in the structured field, with the amount due
    result = matcher.match(payment)
    # then it is booked automatically, with the reasons and the line's fingerprint
    assert result.decision == AUTO
    assert result.order_ids == (101,)
    assert result.fingerprint == payment.fingerprint
    assert result.best.score == 0.9
    assert result.best.amount_state == EXACT
    assert result.best.reasons == (
        Reason.of("reference_exact", reference="RF86HV000000101", source="structured", order_id=101),
        Reason.of("amount_equal", amount=5000),
    )
    assert result.reasons == ()


@pytest.mark.parametrize(
    "remittance",
    [
        "RF86 HV00 0000 101",
        "rf86hv000000101 parkolás",
        "díj RF 86HV000 000101",
        "RF86HV00\n0000101",
        "RF86-HV00-0000-101, köszönöm",
    ],
)
def test_exact_reference_in_the_remittance_however_spaced_books_automatically(remittance):
    # given an open order
    matcher = Matcher([order(101), order(102)])
    # when the remittance quotes its reference with odd spacing or case
    result = matcher.match(line(5000, remittance, name="Nagy Péter"))
    # then it is booked, explained as a reference found in the text
    assert result.decision == AUTO
    assert result.order_ids == (101,)
    assert codes(result.best) == ["reference_in_text", "amount_equal"]
    assert result.best.reasons[0]["source"] == "remittance"


def test_exact_reference_in_the_end_to_end_id_books_automatically():
    matcher = Matcher([order(101)])
    result = matcher.match(line(5000, end_to_end_id="RF86HV000000101"))
    assert result.decision == AUTO
    assert result.best.reasons[0] == Reason.of(
        "reference_in_text", reference="RF86HV000000101", source="end_to_end_id", order_id=101
    )


def test_exact_reference_beats_a_payer_who_looks_like_another_order():
    # given two orders of the same amount, the second one's payer is the sender
    matcher = Matcher([order(101, name="Kovács Anna"), order(102, name="Nagy Péter", iban=IBAN_OTHER)])
    # when the sender quotes the first order's reference (paying for a relative)
    result = matcher.match(line(5000, "RF86HV000000101", name="NAGY PETER", iban=IBAN_OTHER))
    # then the reference decides
    assert result.decision == AUTO
    assert result.order_ids == (101,)


# --- rule 5: partial and overpayment with an exact reference --------------------------------


def test_partial_payment_with_exact_reference_books_and_flags_partial():
    matcher = Matcher([order(101, amount=5000)])
    result = matcher.match(line(2000, "RF86HV000000101"))
    assert result.decision == AUTO
    assert result.best.amount_state == PARTIAL
    assert result.best.reasons[1] == Reason.of("amount_partial", amount=2000, due=5000, missing=3000)
    assert result.best.score == 0.75
    assert matcher.remaining(101) == 3000


def test_overpayment_with_exact_reference_books_and_flags_over():
    matcher = Matcher([order(101, amount=5000)])
    result = matcher.match(line(6500, "RF86HV000000101"))
    assert result.decision == AUTO
    assert result.best.amount_state == OVER
    assert result.best.reasons[1] == Reason.of("amount_over", amount=6500, due=5000, surplus=1500)
    assert matcher.remaining(101) == 0


def test_second_line_sees_what_the_first_left_and_a_third_finds_the_order_paid():
    # given an order of 5000
    matcher = Matcher([order(101, amount=5000)])
    # when it is paid in two instalments and then once more
    first = matcher.match(line(2000, "RF86HV000000101", bank_reference="A"))
    second = matcher.match(line(3000, "RF86HV000000101", bank_reference="B"))
    third = matcher.match(line(3000, "RF86HV000000101", bank_reference="C"))
    # then the first is partial, the second settles the rest exactly, the third goes to review
    assert (first.decision, first.best.amount_state) == (AUTO, PARTIAL)
    assert (second.decision, second.best.amount_state) == (AUTO, EXACT)
    assert third.decision == NONE
    assert third.reasons == (Reason.of("order_already_paid", order_id=101, reference="RF86HV000000101"),)


def test_consumption_can_be_left_to_the_caller():
    # given a matcher that does not track consumption
    matcher = Matcher([order(101, amount=5000)], track_consumption=False)
    # when the same full payment comes twice
    results = matcher.match_all([line(5000, "RF86HV000000101"), line(5000, "RF86HV000000101")])
    # then both are judged against the full amount
    assert [result.decision for result in results] == [AUTO, AUTO]
    # and a payment the caller records is taken into account
    matcher.record_payment(101, 1000)
    assert matcher.match(line(5000, "RF86HV000000101")).best.amount_state == OVER


# --- rule 2: one typo -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, kind",
    [
        ("RF93HV000123465", "transposition"),
        ("RF93HV000128456", "substitution"),
        ("RF93HV0001234567", "insertion"),
        ("RF93HV00012456", "deletion"),
        ("RF39HV000123456", "transposition"),
    ],
)
def test_one_typo_with_amount_and_name_books_automatically(written, kind):
    # given open orders, one of them 123456
    matcher = Matcher([order(123456, name="Kovács Anna"), order(123457, name="Tóth Béla"), order(101)])
    # when the reference is mistyped once, the amount is due and the name agrees
    result = matcher.match(line(5000, f"parkolás {written}", name="KOVACS ANNA"))
    # then it is booked, and the reason shows what was written and what was meant
    assert result.decision == AUTO
    assert result.order_ids == (123456,)
    assert result.best.reasons[0] == Reason.of(
        "reference_one_typo",
        found=written,
        reference="RF93HV000123456",
        kind=kind,
        source="remittance",
        order_id=123456,
    )
    assert codes(result.best) == ["reference_one_typo", "amount_equal", "name_match"]
    assert result.best.score == 0.75
    assert result.best.reasons[0].explain() == (
        f"The reference in the remittance differs in one character ({kind}): {written} → RF93HV000123456."
    )


def test_one_typo_with_amount_and_iban_books_automatically():
    matcher = Matcher([order(123456, name="Kovács Anna", iban=IBAN_ANNA)])
    result = matcher.match(line(5000, "RF93HV000123465", name="KOVACS BELA", iban="HU42 1177 3016 1111 1018 0000 0000"))
    assert result.decision == AUTO
    assert codes(result.best) == ["reference_one_typo", "amount_equal", "iban_match"]


def test_one_typo_paid_by_someone_else_goes_to_review():
    # given an order; a relative pays it with a mistyped reference
    matcher = Matcher([order(123456, name="Kovács Anna", iban=IBAN_ANNA)])
    result = matcher.match(line(5000, "RF93HV000123465", name="SZABO ILONA", iban=IBAN_OTHER))
    # then the typo alone is not enough: review, the order suggested first
    assert result.decision == REVIEW
    assert result.best.order_ids == (123456,)
    assert result.best.score == 0.65


def test_one_typo_with_another_amount_goes_to_review():
    matcher = Matcher([order(123456, amount=5000, name="Kovács Anna")])
    result = matcher.match(line(4000, "RF93HV000123465", name="Kovács Anna"))
    assert result.decision == REVIEW
    assert result.best.amount_state == PARTIAL


def test_one_typo_beside_an_unresolvable_reference_goes_to_review():
    matcher = Matcher([order(123456, name="Kovács Anna")])
    result = matcher.match(line(5000, "RF93HV000123465 RF11HV999999999", name="Kovács Anna"))
    assert result.decision == REVIEW
    assert result.reasons == (Reason.of("reference_unresolved", found="RF11HV999999999", source="remittance"),)


def test_a_typo_fitting_two_orders_is_resolved_only_by_the_amount():
    # given two orders whose references are two edits apart, and a text one edit from both
    first, second = order(200003, amount=5000), order(200100, amount=8000)
    assert (first.reference, second.reference) == ("RF06HV000200003", "RF06HV000200100")
    matcher = Matcher([first, second])
    # when the amount is the first one's and the name agrees
    picked = matcher.match(line(5000, "RF06HV000200000", name="Kovács Anna"))
    # then the amount picks it out
    assert picked.decision == AUTO
    assert picked.order_ids == (200003,)


def test_a_typo_fitting_two_orders_of_the_same_amount_stays_in_review():
    matcher = Matcher([order(200003), order(200100)])
    result = matcher.match(line(5000, "RF06HV000200000", name="Kovács Anna"))
    assert result.decision == REVIEW
    assert [suggestion.order_ids for suggestion in result.suggestions] == [(200003,), (200100,)]
    assert result.best.score == 0.525  # the typo's 0.45 split two ways, + amount 0.20 + name 0.10
    assert Reason.of("ambiguous", count=2) in result.best.reasons


def test_the_body_without_check_digits_books_only_with_name_or_iban():
    matcher = Matcher([order(123456, name="Kovács Anna")])
    backed = matcher.match(line(5000, "HV000123456 parkolás", name="ANNA KOVACS"))
    matcher = Matcher([order(123456, name="Kovács Anna")])
    alone = matcher.match(line(5000, "HV 000123456", name="SZABO ILONA"))
    assert backed.decision == AUTO
    assert codes(backed.best) == ["reference_body", "amount_equal", "name_match"]
    assert alone.decision == REVIEW
    assert alone.best.order_ids == (123456,)


# --- rule 3: several orders in one transfer -------------------------------------------------


def test_several_exact_references_paid_together_book_all_orders():
    matcher = Matcher([order(101, amount=5000), order(102, amount=12000), order(103, amount=3000)])
    text = f"{reference_format(reference_create(101))}, {reference_create(102)}"
    result = matcher.match(line(17000, text))
    assert result.decision == AUTO
    assert result.order_ids == (101, 102)
    assert result.best.amount_state == EXACT
    assert codes(result.best) == ["reference_in_text", "reference_in_text", "amount_sum_of_orders"]
    assert result.best.reasons[2] == Reason.of("amount_sum_of_orders", amount=17000, count=2)
    assert (matcher.remaining(101), matcher.remaining(102), matcher.remaining(103)) == (0, 0, 3000)


def test_several_references_with_a_sum_that_does_not_fit_go_to_review():
    matcher = Matcher([order(101, amount=5000), order(102, amount=12000)])
    result = matcher.match(line(10000, f"{reference_create(101)} {reference_create(102)}"))
    assert result.decision == REVIEW
    assert {suggestion.amount_state for suggestion in result.suggestions} == {OVER, PARTIAL}


def test_three_references_of_which_two_add_up_are_suggested_not_booked():
    matcher = Matcher([order(101, amount=5000), order(102, amount=12000), order(103, amount=3000)])
    text = " ".join(reference_create(number) for number in (101, 102, 103))
    result = matcher.match(line(8000, text))
    assert result.decision == REVIEW
    assert result.best.order_ids == (101, 103)
    assert codes(result.best)[-1] == "amount_sum_of_orders"


def test_several_references_one_mistyped_book_when_the_name_backs_the_typo():
    matcher = Matcher([order(123456, amount=5000, name="Kovács Anna"), order(101, amount=2000, name="Kovács Anna")])
    result = matcher.match(line(7000, "RF93HV000123465 RF86HV000000101", name="Kovács Anna"))
    assert result.decision == AUTO
    assert result.order_ids == (101, 123456)


def test_several_references_one_mistyped_without_backing_go_to_review():
    matcher = Matcher([order(123456, amount=5000, name="Kovács Anna"), order(101, amount=2000, name="Kovács Anna")])
    result = matcher.match(line(7000, "RF93HV000123465 RF86HV000000101", name="Szabó Ilona"))
    assert result.decision == REVIEW
    assert result.best.order_ids == (101, 123456)  # the reading that explains everything ranks first


# --- rule 4: no reference: name, IBAN and amount -------------------------------------------


@pytest.mark.parametrize(
    "written, level",
    [
        ("KOVACS ANNA", "exact"),
        ("Anna Kovács", "exact"),
        ("DR. KOVACS ANNA", "exact"),
        ("kovács anna", "exact"),
        ("KOVACS A.", "initials"),
        ("Kovács Anna Mária", "partial"),
    ],
)
def test_name_and_amount_alone_are_suggested_never_booked(written, level):
    # given one open order of the amount for Dr. Kovács Anna
    matcher = Matcher([order(101, amount=5000, name="dr. Kovács Anna"), order(102, amount=8000)])
    # when a payment without reference comes from her, however the bank writes the name
    result = matcher.match(line(5000, "parkolási engedély", name=written))
    # then the order is suggested, with the name level, for review
    assert result.decision == REVIEW
    assert [suggestion.order_ids for suggestion in result.suggestions] == [(101,)]
    assert result.best.reasons == (
        Reason.of("amount_equal", amount=5000),
        Reason.of("name_match", level=level, name=written, payer_name="dr. Kovács Anna"),
    )


def test_iban_name_and_amount_book_a_single_candidate():
    matcher = Matcher(
        [order(101, amount=5000, name="Kovács Anna", iban=IBAN_ANNA), order(102, amount=5000, name="Nagy Péter")]
    )
    result = matcher.match(line(5000, "díj", name="KOVACS ANNA", iban="11773016-11111018-00000000"))
    assert result.decision == AUTO
    assert result.order_ids == (101,)
    assert result.best.score == 0.4
    assert codes(result.best) == ["amount_equal", "name_match", "iban_match"]


def test_namesakes_owing_the_same_amount_stay_in_review_with_split_scores():
    # given two open orders of 5000 for two people named Kovács Anna
    matcher = Matcher([order(101, name="Kovács Anna"), order(102, name="KOVÁCS ANNA", iban=IBAN_ANNA)])
    # when a Kovács Anna pays 5000 without a reference, from an unknown account
    result = matcher.match(line(5000, "", name="Kovacs Anna", iban=IBAN_OTHER))
    # then both are suggested, each with half the score
    assert result.decision == REVIEW
    assert [suggestion.order_ids for suggestion in result.suggestions] == [(101,), (102,)]
    assert [suggestion.score for suggestion in result.suggestions] == [0.15, 0.15]
    assert Reason.of("ambiguous", count=2) in result.best.reasons


def test_iban_does_not_book_when_a_namesake_owes_the_same_amount():
    matcher = Matcher([order(101, name="Kovács Anna", iban=IBAN_ANNA), order(102, name="Kovács Anna")])
    result = matcher.match(line(5000, "", name="KOVACS ANNA", iban=IBAN_ANNA))
    assert result.decision == REVIEW
    assert result.best.order_ids == (101,)
    assert result.best.score == 0.4


def test_iban_does_not_book_when_the_text_quotes_a_reference_that_is_not_open():
    # given the payer of an open order pays again an order paid long ago
    matcher = Matcher([order(101, name="Kovács Anna", iban=IBAN_ANNA)])
    result = matcher.match(line(5000, reference_create(99), name="KOVACS ANNA", iban=IBAN_ANNA))
    assert result.decision == REVIEW
    assert result.reasons == (Reason.of("reference_not_open", reference=reference_create(99), source="remittance"),)


def test_name_with_another_amount_or_another_person_finds_nothing():
    matcher = Matcher([order(101, amount=5000, name="Kovács Anna")])
    assert matcher.match(line(4000, "", name="Kovács Anna")).decision == NONE
    assert matcher.match(line(5000, "", name="Kovács Béla")).decision == NONE
    assert matcher.match(line(5000, "", name="Kovács")).decision == NONE


# --- rule 6 and lines that are not payments -------------------------------------------------


def test_debits_and_zero_amounts_are_ignored_with_a_reason():
    matcher = Matcher([order(101)])
    debit = matcher.match(line(-5000, "RF86HV000000101"))
    zero = matcher.match(line(0, "RF86HV000000101"))
    assert (debit.decision, debit.suggestions, debit.reasons) == (IGNORED, (), (Reason.of("debit", amount=-5000),))
    assert (zero.decision, zero.reasons) == (IGNORED, (Reason.of("zero_amount"),))
    assert matcher.remaining(101) == 5000


def test_another_currency_is_not_matched():
    result = Matcher([order(101)]).match(line(5000, "RF86HV000000101", currency="EUR"))
    assert result.decision == NONE
    assert result.reasons == (Reason.of("currency_mismatch", currency="EUR", expected="HUF"),)


def test_unrelated_credit_is_none():
    result = Matcher([order(101)]).match(line(123450, "kölcsön vissza", name="Szabó Ilona"))
    assert (result.decision, result.suggestions, result.reasons) == (NONE, (), ())


def test_orders_must_have_unique_ids_and_references():
    with pytest.raises(ValueError):
        Matcher([order(101), order(101)])
    with pytest.raises(ValueError):
        Matcher([order(101), OpenOrder(102, reference_create(101), 5000, "Nagy Péter")])


# --- names ---------------------------------------------------------------------------------


def test_name_tokens_ignore_case_accents_order_titles_and_punctuation():
    assert name_tokens("Dr. Kovács-Nagy Anna") == ("anna", "kovacs", "nagy")
    assert name_tokens("ANNA KOVACS NAGY DR") == ("anna", "kovacs", "nagy")
    assert name_tokens("ifj. Szőke Ödön") == ("odon", "szoke")


@pytest.mark.parametrize(
    "first, second, level",
    [
        ("Kovács Anna", "KOVACS ANNA", "exact"),
        ("Kovács Anna", "Kovács A.", "initials"),
        ("Kovács Katalin", "KOVACS KATA", "initials"),
        ("Kovács Anna", "Kovács Anna Mária", "partial"),
        ("Kovácsné Nagy Anna", "NAGY ANNA", "partial"),
        ("Kovács Anna", "Kovács Béla", None),
        ("Kovács Anna", "Kovács", None),
        ("Kovács Anna", "Nagy Anna", None),
        ("Kovács Anna", "", None),
    ],
)
def test_name_agreement_levels(first, second, level):
    assert name_agreement(name_tokens(first), name_tokens(second)) == level


# --- no automatic match is wrong ------------------------------------------------------------


def mistype(rng: random.Random, reference: str) -> str:
    """One random mistake of any kind anywhere after "RF" (letters too: "O" for "0")."""
    chars = list(reference)
    position = rng.randrange(2, len(chars) - 1)
    action = rng.choice(["substitution", "insertion", "deletion", "swap"])
    if action == "substitution":
        chars[position] = rng.choice([char for char in "0123456789ABHVOI" if char != chars[position]])
    elif action == "insertion":
        chars.insert(position, rng.choice("0123456789"))
    elif action == "deletion":
        del chars[position]
    else:
        chars[position], chars[position + 1] = chars[position + 1], chars[position]
    return "".join(chars)


def test_random_lines_never_book_a_wrong_order():
    # given a district's worth of open orders, with common names and fixed fees
    rng = random.Random(20250303)
    surnames = ["Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Kiss"]
    given = ["Anna", "Péter", "Éva", "László", "Mária", "Zoltán"]
    fees = [2000, 5000, 5000, 10000]

    def person() -> str:
        return f"{rng.choice(surnames)} {rng.choice(given)}"

    orders = [
        OpenOrder(
            number,
            reference_create(number),
            rng.choice(fees),
            person(),
            f"HU{number:026d}" if rng.random() < 0.5 else "",
        )
        for number in range(10_000, 12_000)
    ]
    by_id = {item.order_id: item for item in orders}
    unpaid = list(by_id)
    rng.shuffle(unpaid)
    lines, truth = [], []
    # when 3000 lines arrive: payments of open orders quoted in every way (right, spaced,
    # mistyped, body only, not at all), by the payer or a relative, of the amount due or not;
    # and credits that pay no open order: already paid orders' references (right or mistyped),
    # namesakes, and open orders' payers from their own account paying something else
    for index in range(3000):
        if rng.random() < 0.6:
            paid = by_id[unpaid.pop()]
            text = rng.choice(
                [
                    paid.reference,
                    reference_format(paid.reference).lower(),
                    f"díj {mistype(rng, paid.reference)}",
                    paid.reference[4:],
                    "parkolás",
                ]
            )
            name = rng.choice([paid.payer_name.upper(), paid.payer_name, person()])
            iban = rng.choice([paid.payer_iban, "", f"HU{rng.randrange(10**20):026d}"])
            amount = paid.amount_due if rng.random() < 0.8 else rng.choice(fees)
            truth.append((paid.order_id,))
        else:
            old = reference_create(rng.randrange(1, 10_000))
            text = rng.choice([old, f"díj {mistype(rng, old)}", "kölcsön", ""])
            payer = by_id[rng.choice(unpaid)]
            if rng.random() < 0.5:  # the payer of an open order pays an old order again
                name, iban, amount = payer.payer_name.upper(), payer.payer_iban, payer.amount_due
                text = rng.choice([old, mistype(rng, old)])
            else:
                name, iban, amount = person(), rng.choice(["", f"HU{rng.randrange(10**20):026d}"]), rng.choice(fees)
            truth.append(())
        lines.append(line(amount, text, name=name, iban=iban, bank_reference=f"R{index}"))
    results = Matcher(orders).match_all(lines)
    # then every automatic match books exactly the orders the line paid
    booked = [(result.order_ids, paid) for result, paid in zip(results, truth, strict=True) if result.decision == AUTO]
    wrong = [(order_ids, paid) for order_ids, paid in booked if order_ids != paid]
    assert wrong == []
    assert len(booked) > 1000  # and the engine is not simply refusing to decide
