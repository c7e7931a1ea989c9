# near-misses: a name the layers' `__all__` leaves out, a package that also star-imports
# from outside the project, a package whose own Model hides the star-imported one
from pkg import Shadowed
import external
import rebound

Shadowed().w  # revealed: unknown
external.Model().w  # revealed: unknown
rebound.Model().w  # revealed: unknown
