"""What every incentive of incentives.yaml has, whatever its kind: its name, conditions, citation, and the
machine-readable side the matcher reads (criteria, category, payee, validity, exclusivity group)."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from assistant.calculators.schema.criteria import Category, CriterionItem, Payee
from assistant.calculators.schema.fields import Id, Item, NonEmpty, OptDate, OptText, Source, Text


class Incentive(Item):
    """What every incentive has; the subclasses add the fields of their kind."""

    id: Id
    name: Text
    name_en: OptText = ""
    kind: str
    district: OptText = ""
    conditions: NonEmpty[Text]
    example: OptText = ""  # a worked example, indexed with the rule
    # ---- read by the matcher (assistant.matching); the calculators ignore them ----
    criteria: tuple[CriterionItem, ...] = ()  # derived from the conditions' document text
    category: Category = "awards"  # the group it is listed under
    payee: Payee = "company"  # who receives it: the company, or its staff in person
    valid_from: OptDate = None
    valid_to: OptDate = None
    exclusive_group: Id | None = None  # an id of the file's exclusive_groups: only the best of a group counts
    restated_in: tuple[Source, ...] = ()  # other documents stating the same rule (citations, golden names)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Incentive:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise PydanticCustomError("bad_dates", "valid_from {start} is after valid_to {end}",
                                      {"start": str(self.valid_from), "end": str(self.valid_to)})
        return self
