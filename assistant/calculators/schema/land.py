"""land.yaml: national minimum grades, floor ratios and text-only land notes."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from assistant.calculators.schema.fields import (
    Example,
    Flag,
    Id,
    Item,
    Meta,
    NonEmpty,
    Num,
    OptDate,
    OptText,
    Source,
    Strict,
    Text,
    Whole,
)


class MinimumGrades(Item):
    yuan_m2: NonEmpty[Num]
    effective: OptDate = None
    basis: OptText = ""


class FloorRatio(Item):
    ratio: Num
    year: Whole | None = None
    applies_to: OptText = ""


class NoteSection(BaseModel):
    """A land rule kept as text only (flexible terms, standard land …): indexed for search, read by no calculator.
    Its descriptive figures (min_years …) may be any keys; note and source are what the index needs."""

    model_config = ConfigDict(extra="allow", frozen=True)
    note: Text
    source: Source
    sample: Flag = False
    name: OptText = ""
    name_en: OptText = ""


class LandRules(Strict):
    # Any further top-level key is a note section (see NoteSection), so a staff member can add one without code.
    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, NoteSection] = Field(init=False)

    meta: Meta
    mu_m2: Num
    max_term_years: Num
    national_minimum_grades: MinimumGrades
    priority_floor: FloorRatio = Field(alias="priority_floor_ratio")
    guizhou_floor: FloorRatio = Field(alias="guizhou_floor_ratio")
    land_rebate_ref: Id | None = None  # the id of the land_rebate incentive, for readers
    examples: tuple[Example, ...] = ()

    @property
    def notes(self) -> Mapping[str, NoteSection]:
        return self.__pydantic_extra__

    @property
    def national_grades_yuan_m2(self) -> tuple[float, ...]:
        return self.national_minimum_grades.yuan_m2

    @property
    def grades_source(self) -> Source:
        return self.national_minimum_grades.source

    @property
    def grades_sample(self) -> bool:
        return self.national_minimum_grades.sample
