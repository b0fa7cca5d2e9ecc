"""How a person reads a fact (SPEC §21): the one owner of labels, status words and colours, money as dollars, times
relative and local, and each proposal's payload as a card. Pages, Run results and ui.format read it; core never
speaks snake_case, None, JSON or cents to a person."""
