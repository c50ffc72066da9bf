"""A mypy plugin: calling a factory-boy factory gives the model it builds.

factory-boy types `ReferralFactory.create()` as the `Referral` of
`DjangoModelFactory[Referral]`, but the plain call `ReferralFactory()` goes through the
factory's metaclass `__call__`, which mypy does not look at: it takes the call for an
instance of the factory class. This plugin gives the call the type `create()` has, so the
tests keep writing `ReferralFactory(...)`.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import AnyType, Instance, Type, TypeOfAny, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


class FactoryCallPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        info = symbol.node if symbol is not None else None
        if isinstance(info, TypeInfo) and info.has_base(BASE_FACTORY) and fullname != BASE_FACTORY:
            return built_type
        return None


def built_type(ctx: FunctionContext) -> Type:
    factory = get_proper_type(ctx.default_return_type)
    if not isinstance(factory, Instance):
        return ctx.default_return_type
    base = next(info for info in factory.type.mro if info.fullname == BASE_FACTORY)
    built = get_proper_type(map_instance_to_supertype(factory, base).args[0])
    if isinstance(built, AnyType):
        ctx.api.fail(
            f'"{factory.type.name}" does not say what it builds: '
            "derive it from DjangoModelFactory[Model]",
            ctx.context,
        )
        return AnyType(TypeOfAny.from_error)
    return built


def plugin(version: str) -> type[Plugin]:
    return FactoryCallPlugin
