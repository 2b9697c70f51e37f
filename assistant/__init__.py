"""筑商通 / Invest Guiyang Assistant: grounded answers for investors in Guiyang and Gui'an New Area."""

__version__ = "0.1.0"
