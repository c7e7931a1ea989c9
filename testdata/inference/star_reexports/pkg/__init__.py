# the package re-exports its layers with star imports, as many NNX libraries do
from .layers import *  # noqa: F403
from .util import *  # noqa: F403
