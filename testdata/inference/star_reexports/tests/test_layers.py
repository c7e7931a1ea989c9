from pkg import Counter, Dense
from pkg.layers import Hidden

dense = Dense()
dense.w  # revealed: nnx.Param[array]
Hidden().w  # revealed: nnx.Param[array]
Counter().count  # revealed: nnx.BatchStat

from cyc.first import Second
from cyc.second import First
Second().w  # revealed: nnx.Param[array]
First().w  # revealed: nnx.Param[array]
