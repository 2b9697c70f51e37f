"""Rules files and the calculators over them: tariffs, land, incentives, tax, talent."""
