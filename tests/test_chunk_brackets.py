"""The chunker's sentence split keeps an aside in brackets whole: "（前两年免租；后三年减半）" is never cut at its
"；" (nor at a "。" or ". " inside it), in a sentence or across two chunks; a bracket left open holds the text
together only to the end of its line (or MAX_ASIDE characters), never the rest of the document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.documents import Block, DocMeta
from assistant.ingest.chunking import chunk_blocks, split_sentences
from assistant.sentences import MAX_ASIDE

META = DocMeta(doc_id="policies/x.md", title="测试")


def test_no_split_inside_brackets() -> None:
    assert split_sentences("租金减免（前两年免租；后三年减半）按年兑现；逐年申报。") == [
        "租金减免（前两年免租；后三年减半）按年兑现；", "逐年申报。"]
    assert split_sentences("Rent relief (two years free; three years half) is paid yearly; apply each year.") == [
        "Rent relief (two years free; three years half) is paid yearly;", " apply each year."]
    assert split_sentences("补贴（条件：注册满一年。纳税正常）为50万元。另有奖励。") == [
        "补贴（条件：注册满一年。纳税正常）为50万元。", "另有奖励。"]
    assert split_sentences("A rebate (see Art. 5. The cap applies) of 30%. Next.") == [
        "A rebate (see Art. 5. The cap applies) of 30%.", " Next."]
    # nested and mixed brackets
    assert split_sentences("电价（峰段【10:00-13:00；17:00-22:00】；谷段）见附件；完。") == [
        "电价（峰段【10:00-13:00；17:00-22:00】；谷段）见附件；", "完。"]


def test_a_stray_bracket_holds_only_to_the_end_of_its_line() -> None:
    assert split_sentences("条件（未闭合；第一项；\n第二行；第三项。") == ["条件（未闭合；第一项；\n", "第二行；", "第三项。"]
    assert split_sentences("多余的右括号）第一句；第二句。") == ["多余的右括号）第一句；", "第二句。"]
    long_aside = "（" + "字；" * MAX_ASIDE + "）结束。"
    assert len(split_sentences(long_aside)) > MAX_ASIDE // 2  # cut again once the aside runs past MAX_ASIDE


def test_a_chunk_boundary_never_falls_inside_brackets() -> None:
    aside = "（" + "；".join(f"第{i}项条件须满足" for i in range(1, 6)) + "）"
    # Where the packing of 80 characters once fell inside the aside, after one of its "；".
    text = "第五条　" + "其他事项另行规定。" * 3 + "企业申请补贴须满足以下条件" + aside + "，经审核后拨付。" + "其他事项另行规定。" * 6
    chunks = chunk_blocks(META, [Block(text=text)], limit=80)
    assert len(chunks) >= 2
    assert [c for c in chunks if aside in c.text], [c.text for c in chunks]
    assert all(c.text.count("（") == c.text.count("）") for c in chunks), [c.text for c in chunks]


ASIDE = st.lists(st.sampled_from(["条件", "；", ";", "。", ". ", "A", "1"]), min_size=1, max_size=12).map("".join)
PLAIN = st.lists(st.sampled_from(["企业", "补贴", "；", "。", "，", "x", " "]), max_size=12).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(PLAIN, ASIDE, st.sampled_from([("（", "）"), ("(", ")"), ("【", "】")])), max_size=6),
       PLAIN)
def test_closed_asides_are_never_cut_and_the_text_is_kept(parts: list[tuple[str, str, tuple[str, str]]],
                                                          tail: str) -> None:
    asides = [f"{o}{a}{c}" for _p, a, (o, c) in parts]
    text = "".join(p + aside for (p, _a, _b), aside in zip(parts, asides, strict=True)) + tail
    pieces = split_sentences(text)
    assert "".join(pieces) == text and all(pieces)
    assert all(any(aside in piece for piece in pieces) for aside in asides)
