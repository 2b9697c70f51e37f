from collections.abc import Iterable

from assistant.answering.grounding import normalise_number, numbers_in, ungrounded_numbers


def is_grounded(answer: str, evidence: Iterable[str]) -> bool:
    return not ungrounded_numbers(answer, evidence)


def test_normalise_number_forms() -> None:
    assert normalise_number("1,000,000") == "1000000"
    assert normalise_number("0.240") == "0.24"
    assert normalise_number("18.0") == "18"
    assert normalise_number("08") == "8"


def test_citation_markers_are_not_numbers() -> None:
    assert numbers_in("电价0.562元/kWh[1][2]") == {"0.562"}


def test_grounded_when_every_number_is_in_evidence() -> None:
    evidence = ["10千伏电量电价0.1238元/kWh，需量电价35元/kW·月", "合计632,000元"]
    assert is_grounded("电量电价0.1238元，需量35元，共632000元[1]", evidence)


def test_reports_invented_numbers_in_order() -> None:
    evidence = ["经开区工业用地288元/㎡"]
    assert ungrounded_numbers("经开区288元/㎡，补贴50万元，另有30%返还", evidence) == ["50", "30"]


def test_thousands_separator_and_decimals_match_across_forms() -> None:
    assert is_grounded("约9,600,000元", ["50×666.67×288≈9600000元"])
    assert not is_grounded("0.884元", ["0.88元"])
