from pkg import Counter, Dense
from pkg.layers import Hidden

dense = Dense()
dense.w  # revealed: nnx.Param[array]
Hidden().w  # revealed: nnx.Param[array]
Counter().count  # revealed: nnx.BatchStat
