"""The class model: subclasses, MRO questions, "defines before flax" (a project class that
overrides what flax's base defines)."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.index import dotted_name


# bases that define nothing a rule asks about (typing's, abc's)
_SEEN_THROUGH_BASES = frozenset({
    "object", "typing.Generic", "typing.Protocol", "typing_extensions.Protocol", "abc.ABC",
})


class Classes:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def implements_value(self, cls: str) -> bool:
        """A project class in `cls`'s MRO (before flax's own) defines `value` or
        `raw_value` itself (a property, a method, a class attribute): `.value` is its."""
        return self.may_define_before_flax(cls, {"value", "raw_value"})

    def may_define_before_flax(self, cls: str, names: set[str], exactly: bool = False) -> bool:
        """`defines_before_flax`, or a class that cannot be seen (another library's mixin)
        comes before flax's in the MRO of `cls` or of a subclass and may define them.
        `exactly`: an object known to be of `cls` itself (`cls(...)` constructs one), so
        subclasses do not count."""
        return self.defines_before_flax(cls, names, exactly) \
            or any(self.unseen_base(klass, before_flax=True) for klass in self._with_subclasses(cls, exactly))

    def defines_before_flax(self, cls: str, names: set[str], exactly: bool = False) -> bool:
        """A project class of `cls`'s MRO, or of a subclass's (unless `exactly`), before
        flax's own classes, defines one of `names` as a method or class attribute."""
        return self._table(("defines", cls, frozenset(names), exactly),
                           lambda: self._defines_before_flax(cls, names, exactly))

    def _with_subclasses(self, cls: str, exactly: bool) -> list[str]:
        return [cls] if exactly else [cls, *self.subclasses(cls)]

    def _defines_before_flax(self, cls: str, names: set[str], exactly: bool) -> bool:
        for klass in self._with_subclasses(cls, exactly):
            for name in self.index.mro(klass):
                if flax_api.flax_name(name) is not None:
                    break
                info = self.index.lookup_class(name)
                if info is not None and names & (set(info.methods) | {
                    attr for attr, bindings in info.attribute_bindings.items()
                    if any(function is None for _, function, _ in bindings)
                }):
                    return True
        return False

    def unseen_base(self, cls: str, before_flax: bool = False) -> bool:
        """A class of `cls`'s MRO (before flax's own, with `before_flax`) is neither flax's
        nor the project's (an imported mixin, a base computed at run time), so what it
        defines cannot be seen."""
        return self._table(("unseen base", cls, before_flax), lambda: self._unseen_base(cls, before_flax))

    def _unseen_base(self, cls: str, before_flax: bool) -> bool:
        unseen = False
        for name in self.index.mro(cls):
            info = self.index.lookup_class(name)
            if name.startswith("flax.") and before_flax:
                break
            if info is None:
                if not (name.startswith("flax.") or name in _SEEN_THROUGH_BASES):
                    unseen = True
                continue
            for base in info.node.bases:
                target = base.value if isinstance(base, ast.Subscript) else base  # `Base[T]`: Base
                if dotted_name(target) is None:
                    unseen = True
        return unseen

    def subclasses(self, cls: str) -> list[str]:
        """The project's classes that have `cls` in their MRO (not `cls` itself)."""
        if self._subclasses is None:
            self._subclasses = {}
            for name in self.index.classes:
                for base in self.index.mro(name)[1:]:
                    self._subclasses.setdefault(base, []).append(name)
        return self._subclasses.get(cls, [])

    def is_subclass(self, cls: str, base: str) -> bool:
        """`cls` is `base` or derives from it (flax's Module and Variable: any of their kind)."""
        bare = flax_api.flax_name(base)
        return base in self.index.mro(cls) or bare in ("Module", "Object", "Pytree") and self.index.is_nnx_class(cls) \
            or bare == "Variable" and self.index.is_variable_class(cls)
