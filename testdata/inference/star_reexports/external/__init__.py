from .models import *  # noqa: F403
from somelib import *  # noqa: F403  (outside the project: it may bind Model too)
