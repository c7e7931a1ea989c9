from .models import *  # noqa: F403
from .models import Model as _Model


class Model(_Model):  # the package's own Model hides the star-imported one
    def __init__(self):
        self.w = 3
