"""Attribute types: `x.attr` of an instance (what the class and its bases bind, properties,
stores from outside the class), and the project-wide fallback by attribute name."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.index import ClassInfo, SourceFile, self_parameter
from nnx_migrate.infer.types import (
    _abstract, ABSTRACT_RNG_STREAM, AbstractT, ANY_MODULE, ARRAY, as_container, ClassT, ContainerT, _flax_entry_type,
    FunctionT, GRAPH_ELEMENT, InstanceT, join_or_unknown, NONE, RNG_STREAM, RNGS, STATE, STATE_OWN_ATTRIBUTES, StateT, Type, VariableT,
)
from nnx_migrate.infer.scopes import Scope
from nnx_migrate.infer.syntax import returned_values


def _only_when_not_a_variable(value: ast.expr, file: SourceFile, shadowed: frozenset[str]) -> bool:
    """`x.a = value` in the `else` of `if isinstance(x.a, C)` (or under `if not
    isinstance(x.a, C)`): it stores only where x.a is not a C, so a class whose `a` is
    one keeps it."""
    statement = file.parents.get(id(value))
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return False
    target = ast.dump(statement.targets[0], annotate_fields=False).replace("Store()", "Load()")
    child, parent = statement, file.parents.get(id(statement))
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        if isinstance(parent, ast.If):
            test, negated = parent.test, child in parent.orelse
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                test, negated = test.operand, not negated
            if negated and isinstance(test, ast.Call) and isinstance(test.func, ast.Name) \
                    and test.func.id == "isinstance" and "isinstance" not in shadowed and len(test.args) == 2 \
                    and ast.dump(test.args[0], annotate_fields=False) == target:
                return True
        child, parent = parent, file.parents.get(id(parent))
    return False


_TYPED_DICTS = frozenset({"typing.TypedDict", "typing_extensions.TypedDict"})


def _copied_from_self(value: ast.expr, function: ast.AST | None) -> bool:
    """`self.attr = self.q` in a method: a copy between attributes of one instance."""
    return isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) \
        and isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and value.value.id == self_parameter(function)


class Attributes:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def _may_be_instance(self, found: Type, cls: str) -> bool:
        """Something of type `found` may be an instance of `cls` (unknown, or an item of an
        nnx.List/Dict: it may; an array, a list, a State, a Python value: it may not)."""
        if found is None or found == GRAPH_ELEMENT:
            return True
        if isinstance(found, AbstractT):
            found = found.instance  # the same object, its arrays abstract
        if not isinstance(found, (InstanceT, VariableT, ClassT)):
            return False
        return self.is_subclass(cls, found.cls) or self.is_subclass(found.cls, cls)

    def _member_store_receivers(self, attr: str) -> list[tuple[ast.expr, SourceFile]]:
        """Receivers of `x.attr = ...` / `del x.attr` / `setattr(x, "attr", ...)`."""
        return [(node.value, file) for node, file in self._attribute_stores(attr)] \
            + [(receiver, file) for receiver, _, file in self._constant_setattr_calls(attr)]

    def _attribute_type(self, node: ast.Attribute, scope: Scope) -> Type:
        qualified = self.qualified(node, scope)
        if qualified is not None:
            return None  # a module attribute or class, not an instance attribute
        narrowed = self.flow(scope).reaching.get(id(node))  # `if isinstance(self.b, C):`
        if narrowed:
            found = join_or_unknown([self.binding_type(b, scope) for b in narrowed])
            if found is not None:
                return found
        base = self.type_of(node.value, scope)
        if base is None and isinstance(node.value, ast.Subscript):
            # `blocks[0].linear` of a list holding Blocks and a function put in its place:
            # the `.linear` of each element that has one (reading it on the others raises)
            options = self.element_types(node.value, scope)
            if options is not None:
                found = [self.attribute_of(option, node.attr, scope) for option in options
                         if not self._lacks_attribute(option, node.attr)]
                if found:
                    return join_or_unknown(found)
        return self.attribute_of(base, node.attr, scope)

    def element_types(self, node: ast.Subscript, scope: Scope) -> list[Type] | None:
        """The types of what the list or dict read at `node` may hold, where they differ
        (so `type_of` joins them to unknown): its elements when built, and each added
        under its name (`_with_added_items`); None where one is not known."""
        container = node.value
        if isinstance(node.slice, ast.Slice) or not isinstance(container, (ast.Name, ast.Attribute)):
            return None
        built = self._name_type(container, scope) if isinstance(container, ast.Name) \
            else self._attribute_type(container, scope)
        if not isinstance(built, ContainerT):
            return None
        options = [built.element, *self.items_added(container, scope)]
        return options if None not in options else None

    def _lacks_attribute(self, found: Type, attr: str) -> bool:
        """Reading `.attr` on something of type `found` raises AttributeError: None, or a
        def's function (undecorated) where nothing in the project may give a function
        attributes of that name (`_functions_lack`)."""
        if found == NONE:
            return True
        return isinstance(found, FunctionT) and not getattr(found.node, "decorator_list", None) \
            and self._functions_lack(attr)

    def _functions_lack(self, attr: str) -> bool:
        """No function in the project has an attribute `attr`: a public name (a function's
        own are dunders), never stored on a receiver that may be a function (by that name
        or one computed at run time), and no `functools.wraps` / `update_wrapper`, which
        copy another object's attributes onto a function."""
        def compute() -> bool:
            if attr.startswith("_") or self.name_uses("wraps") or self.name_uses("update_wrapper"):
                return False
            receivers = [receiver_type for _, receiver_type, _, _, _ in self._stores_to(attr)]
            receivers += [self.type_of(receiver, self.scope_of(receiver, file))
                          for receiver, file, _, _ in self._stores_by_name()]
            return not any(found is None or isinstance(found, FunctionT) for found in receivers)

        return self._memoized(("functions lack", attr), None, compute, unknown=False)

    def attribute_of(self, base: Type, attr: str, scope: Scope) -> Type:
        """`<something of type base>.attr` read in `scope`, narrowing aside: what the class
        says, else for a Module the names the project binds only to Variables."""
        if isinstance(base, StateT):
            # `state.linear` is `state['linear']`; State's own methods and private names are not items
            own = attr in STATE_OWN_ATTRIBUTES or attr.startswith("_")
            return None if own else self.state_member(base, attr, scope)
        found = self.member_type(base, attr)
        if found is None and isinstance(base, InstanceT) and self.index.is_nnx_class(base.cls) \
                and not self.attributes_unknown(base.cls, attr) \
                and not self.defines_before_flax(base.cls, {"__getattr__", "__getattribute__"}) \
                and not any(self.unseen_base(klass) for klass in [base.cls, *self.subclasses(base.cls)]):
            # a Module whose class does not say: names the project binds only to Variables
            # (or only to Modules) on its Modules. Never for a receiver not shown to be a Module.
            return self.fallback_attribute(attr, scope.file)
        return found

    def member_type(self, base: Type, attr: str) -> Type:
        """Type of `<something of type base>.attr`."""
        if isinstance(base, InstanceT):
            return self.instance_attribute(base.cls, attr)
        if isinstance(base, AbstractT):
            return _abstract(self.instance_attribute(base.instance.cls, attr))
        if base == RNGS:
            return None if attr in flax_api.RNGS_METHODS or attr.startswith("_") else RNG_STREAM
        if base in (RNG_STREAM, ABSTRACT_RNG_STREAM):
            cls = flax_api.RNG_STREAM_ATTRIBUTES.get(attr)
            return VariableT(f"{flax_api.NNX}.{cls}", base == RNG_STREAM) if cls else None
        if base == STATE:
            return STATE
        if base == ARRAY:
            return ARRAY if attr in ("T", "real", "imag", "mT") else None
        if isinstance(base, VariableT) and base.array and attr in ("T", "mT", "value", "raw_value"):
            return ARRAY
        return None

    def instance_attribute(self, cls: str, attr: str) -> Type:
        """Type of `<instance of cls>.attr`, joined over every class in its MRO that binds it,
        and over the attributes of its copy group (`copy_group`)."""
        def compute() -> Type:
            group = self.copy_group(cls, attr)
            return join_or_unknown(
                [found for member in group for klass in [cls, *self.subclasses(cls)]
                 for found in self._instance_attribute(klass, member, group)]
                + [value for member in group for value in self._stores_from_outside(member, cls)])

        return self._memoized(("attribute", cls, attr), None, compute)

    def copy_group(self, cls: str, attr: str) -> tuple[str, ...]:
        """The attributes that copy one another on an instance of `cls`, with `attr` (sorted):
        `m.a, m.b = m.b, m.a` (a swap), `self.b = self.a` in a method, `x.b = y.a` from an
        instance `y` of the class. Each such copy stores what some attribute of the group
        already may hold, so the least solution of the copies is the join of what the group
        gets otherwise: the copies themselves add nothing (and typing one would be the group
        depending on itself, unknown). The strongly connected part of the copies' graph,
        so an attribute that only copies from others keeps the narrowing those reads get."""
        def reach(start: str) -> set[str]:
            seen, todo = {start}, [start]
            while todo:
                for source in self._copy_sources(cls, todo.pop()):
                    if source not in seen:
                        seen.add(source)
                        todo.append(source)
            return seen

        def compute() -> tuple[str, ...]:
            return tuple(sorted(q for q in reach(attr) if q == attr or attr in reach(q)))

        found = self._memoized(("copy group", cls, attr), None, compute)
        return found if found is not None else (attr,)  # met again while computed: no group there

    def _copy_sources(self, cls: str, attr: str) -> set[str]:
        """The attributes `q` that some copy stores into `.attr` of the same instance of
        `cls` (see `copy_group`)."""
        sources = set()
        for klass in [cls, *self.subclasses(cls)]:
            for name in self.index.mro(klass):
                info = self.index.lookup_class(name)
                for value, function, is_annotation in info.attribute_bindings.get(attr, ()) if info else ():
                    if not is_annotation and _copied_from_self(value, function):
                        sources.add(value.attr)
        return sources | {copied.attr for copied, _ in self.copies_into(cls, attr)}

    def copies_into(self, cls: str, attr: str) -> list[tuple[ast.Attribute, SourceFile]]:
        """(the copied `y.q`, file) of each copy into `.attr` from outside the class's
        methods from an instance of `cls` (`_copies_an_instance`), on what may be one."""
        return [(copied, file) for _, receiver_type, receiver, file, copied in self._stores_to(attr)
                if copied is not None and self._may_be_instance(receiver_type, cls)
                and self._copies_an_instance(cls, receiver, copied, file)]

    def _copies_an_instance(self, cls: str, receiver: ast.expr, copied: ast.Attribute, file: SourceFile) -> bool:
        """`x.attr = copied` copies from an instance of `cls` wherever the store is one on such
        an instance: `copied` is `x.q` of the same name `x` (if `x` is not one, the store does
        not matter to `cls`), or `y.q` of a `y` shown to be one (or of a subclass)."""
        if isinstance(receiver, ast.Name) and isinstance(copied.value, ast.Name) and copied.value.id == receiver.id:
            return True
        source = self.type_of(copied.value, self.scope_of(copied, file))
        return isinstance(source, InstanceT) and cls in self.index.mro(source.cls)

    def _stores_to(self, attr: str) -> list[tuple]:
        return self._memoized(("stores", attr), None, lambda: self._compute_stores_from_outside(attr),
                              unknown=[(None, None, None, None, None)])

    def _stores_from_outside(self, attr: str, cls: str) -> list[Type]:
        """`x.attr = value` outside the class's methods, on a receiver that may be an
        instance of `cls` (an unknown one may: an alias of an instance may be anything):
        the attribute may hold those values too."""
        return [value for value, _, _ in self.outside_stores(attr, cls)]

    def outside_stores(self, attr: str, cls: str) -> list[tuple[Type, ast.expr | None, SourceFile | None]]:
        """(type of the value, receiver, file) of each store to `.attr` from outside the
        class's methods whose receiver may be an instance of `cls`.

        A copy `x.attr = y.q` from an instance of `cls` (`y` shown to be one, or `x`
        itself) of an attribute `q` of `attr`'s copy group stores what such an instance's
        `q` holds, already among what the group may hold: it adds nothing (`copy_group`).
        Copied from anything else, the value is typed as any other."""
        group = self.copy_group(cls, attr)
        found = []
        for value, receiver_type, receiver, file, copied in self._stores_to(attr):
            if not self._may_be_instance(receiver_type, cls):
                continue
            if copied is not None:
                if copied.attr in group and self._copies_an_instance(cls, receiver, copied, file):
                    continue
                value = self.type_of(copied, self.scope_of(copied, file))
            found.append((value, receiver, file))
        return found

    def _compute_stores_from_outside(self, attr: str) -> list[tuple]:
        """(type of the value, type of the receiver, receiver, file, the value when it is a
        copy `y.attr`, typed by `outside_stores`) of each store to `.attr` from outside."""
        def store(value_type: Type, receiver: ast.expr | None, file: SourceFile, copied=None) -> tuple:
            found = self.type_of(receiver, self.scope_of(receiver, file)) if receiver is not None else None
            return value_type, found, receiver, file, copied

        stores = []
        for value, file, receiver in self.index.foreign_attribute_stores.get(attr, ()):
            if isinstance(value, ast.AugAssign):
                continue  # `x.attr += ...` keeps x.attr
            if value is None:
                stores.append(store(None, receiver, file))  # unpacked from something not known
            elif _only_when_not_a_variable(value, file, self.shadowed_builtins(self.scope_of(value, file))):
                continue
            elif isinstance(value, ast.Attribute):
                stores.append(store(None, receiver, file, copied=value))  # `x.attr = y.q`: typed per class
            else:
                stores.append(store(self.type_of(value, self.scope_of(value, file)), receiver, file))
        # setattr(x, "attr", v), object.__setattr__(x, "attr", v), vars(x)["attr"] = v
        for receiver, value, file in self._constant_setattr_calls(attr):
            stores.append(store(self.type_of(value, self.scope_of(value, file)), receiver, file))
        for node, file in self.name_uses("vars"):
            call = file.parents.get(id(node))
            subscript = file.parents.get(id(call))
            if isinstance(subscript, ast.Subscript) and isinstance(subscript.ctx, ast.Store) \
                    and isinstance(subscript.slice, ast.Constant) and subscript.slice.value == attr:
                receiver = call.args[0] if isinstance(call, ast.Call) and len(call.args) == 1 else None
                stores.append(store(None, receiver, file))
        return stores

    def _instance_attribute(self, cls: str, attr: str, group: tuple[str, ...]) -> list[Type]:
        """The types the classes of `cls`'s MRO bind to `attr`, less copies `self.attr =
        self.q` of an attribute of `group` (see `copy_group`); [unknown] where none binds it."""
        if self.attributes_unknown(cls, attr) or self.defines_before_flax(cls, {"__getattribute__"}):
            return [None]  # any attribute (or this one) may hold anything
        types: list[Type] = []
        copies = False
        for name in self.index.mro(cls):
            bare = flax_api.flax_name(name)
            if bare is not None:
                entry = flax_api.MODULE_ATTRIBUTES.get(bare, {}).get(attr)
                if entry is not None:
                    types.append(_flax_entry_type(entry))
                continue
            info = self.index.lookup_class(name)
            if info is None:
                continue
            if attr in info.methods:
                types.append(self._property_type(info, attr))
            for statement in info.node.body:
                if isinstance(statement, ast.ClassDef) and statement.name == attr:
                    # `self._Toy()` of a class its class body defines (a test class's helper)
                    nested = self.index.class_of_node(statement)
                    hidden = nested is None or self.index.classes.get(nested.qualname) is not nested
                    types.append(None if hidden else ClassT(nested.qualname))
            for value, function, is_annotation in info.attribute_bindings.get(attr, []):
                if not is_annotation and _copied_from_self(value, function) and value.attr in group:
                    copies = True
                    continue
                binding_scope = (
                    self.method_scope(info, function) if function is not None
                    else self.class_scope(info)
                )
                types.append(
                    self.annotation_type(value, binding_scope) if is_annotation
                    else self.type_of(value, binding_scope)
                )
        return types if types or copies else [None]

    def _property_type(self, info: ClassInfo, attr: str) -> Type:
        """`instance.attr` where the class defines `attr` with `@property` (or
        `functools.cached_property`): what the getter returns. A plain method (or anything
        else decorated) is unknown."""
        getter = None
        class_scope = self.class_scope(info)
        for statement in info.node.body:
            if isinstance(statement, ast.FunctionDef) and statement.name == attr and len(statement.decorator_list) == 1:
                decorator = statement.decorator_list[0]
                if (isinstance(decorator, ast.Name) and decorator.id == "property" and class_scope.find("property") is None) \
                        or self.qualified(decorator, class_scope) == "functools.cached_property":
                    getter = statement
        if getter is None or self_parameter(getter) is None:
            return None
        scope = self.method_scope(info, getter)
        if getter.returns is not None:
            return self.annotation_type(getter.returns, scope)
        return join_or_unknown([self.type_of(value, scope) for value in returned_values(getter) or ()])

    def is_typed_dict(self, cls: str) -> bool:
        return not _TYPED_DICTS.isdisjoint(self.index.mro(cls))

    def typed_dict_item(self, cls: str, key: str) -> Type:
        """`d[key]` of a `d` annotated as a TypedDict class: what the first class of its MRO
        that declares `key` annotates it as (an annotation is a claim, trusted as a
        parameter's annotation is); unknown where none declares it."""
        for name in self.index.mro(cls):
            info = self.index.lookup_class(name)
            for value, function, is_annotation in info.attribute_bindings.get(key, ()) if info else ():
                if is_annotation and function is None:
                    return self.annotation_type(value, self.class_scope(info))
        return None

    def _is_graph_node(self, found: Type) -> bool:
        return isinstance(found, VariableT) or isinstance(found, InstanceT) and self.index.is_nnx_class(found.cls)

    def fallback_attribute(self, attr: str, file: SourceFile) -> Type:
        """The type of `<some Module>.attr` when the Module's class does not say: a Variable
        if the project binds `attr` only to Variables (a Module, or a container of Modules,
        if only to those), or if it is a name flax's layers use for their Variables and the
        project binds it to nothing else. What the file's own classes and stores show comes
        first: what a file alone shows stays shown when more files are given."""
        def compute() -> Type:
            classes, stores = self._bindings_by_file().get((id(file), attr), ((), ()))
            own = self._fallback_from(attr, classes, stores, file.flax_names_used)
            return own if own is not None else self._project_fallback(attr)

        return self._memoized(("fallback", attr, id(file)), None, compute)

    def classes_binding(self, attr: str) -> list[ClassInfo]:
        """The project's classes that bind `attr` or define it as a method."""
        return list(self._bindings_by_file().get((None, attr), ((), ()))[0])

    def _project_fallback(self, attr: str) -> Type:
        def compute() -> Type:
            classes, stores = self._bindings_by_file().get((None, attr), ((), ()))
            return self._fallback_from(attr, classes, stores, self.index.flax_names_used)

        return self._memoized(("fallback", attr, None), None, compute)

    def _fallback_from(self, attr: str, classes, stores, flax_names_used) -> Type:
        types = [self.instance_attribute(info.qualname, attr) for info in classes]
        types += [None if value is None or isinstance(value, ast.AugAssign) else self.type_of(value, self.module_scope(file))
                  for value, file in stores]
        if types:
            joined = join_or_unknown(types)
            if isinstance(joined, VariableT):
                return joined
            if isinstance(joined, InstanceT) and self.index.is_nnx_class(joined.cls):
                return ANY_MODULE
            if (container := as_container(joined)) is not None and isinstance(container.element, InstanceT) \
                    and self.index.is_nnx_class(container.element.cls):
                return ContainerT(ANY_MODULE)
            return None
        # Attributes of the flax layers used (`kernel` only where some Linear/Conv/... is
        # used, `mean` only with BatchNorm), when nothing in the project binds the name.
        for layer in sorted(flax_names_used):
            entry = flax_api.MODULE_ATTRIBUTES.get(layer, {}).get(attr)
            if entry is not None and entry[0] == "variable":
                return _flax_entry_type(entry)
        return None

    def replaces_member(self, cls: str, attr: str) -> bool:
        """`attr` on an instance of `cls` may not be what its flax class defines: a project
        class of the MRO (or a subclass) defines it or `__getattribute__`, some code stores
        `x.attr = ...` or `setattr(x, "attr", ...)` on what may be such an instance (an
        unknown receiver may), or stores attributes by run-time names on it."""
        if self.may_define_before_flax(cls, {attr, "__getattribute__"}) or self.attributes_unknown(cls, attr):
            return True
        return self._memoized(("replaces", cls, attr), None, lambda: any(
            self._may_be_instance(self.type_of(receiver, self.scope_of(receiver, file)), cls)
            for receiver, file in self._member_store_receivers(attr)), unknown=True, counted=False)
