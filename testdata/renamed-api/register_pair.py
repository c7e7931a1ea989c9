# flax 0.10.0-0.10.3's register_variable_name_type_pair (removed in 0.10.4) ->
# register_variable_name, `overwrite` by keyword. Reported: a call whose value is used
# (line 17: the new function returns the type, the old one None).
from flax import nnx


class Stats(nnx.Variable):
    pass


class Counts(nnx.Variable):
    pass


nnx.register_variable_name_type_pair("stats", Stats)
nnx.register_variable_name_type_pair("stats", Counts, True)
result = nnx.register_variable_name_type_pair("counts", Counts) if False else None
print(nnx.variable_type_from_name("stats").__name__, nnx.variable_name_from_type(Counts))
