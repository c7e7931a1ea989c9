import tables
from tables import CHANGED, READ
from tables import RENAMED as renamed  # its uses are not spelled RENAMED

READ[1].kernel.value
tables.READ[0].value
CHANGED.append(3)
renamed.append(3)
READ[1]  # revealed: unknown
# (an imported name is not followed to the literal: its items are typed in tables.py only)
