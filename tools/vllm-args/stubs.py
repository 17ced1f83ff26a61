"""Stand-ins for the modules vLLM imports but its argument parser never runs (torch, CUDA
kernels, the HTTP server...). A stubbed module answers every attribute with a stub class;
a stub class answers attributes, calls, indexing, arithmetic and comparisons with stubs
(calling one on a lone function returns the function, so stubbed decorators leave code
intact), and pydantic accepts it as "any" in vLLM's config dataclasses. Nothing here decides
what the parser accepts: that is vLLM's own code."""

import abc
import importlib.abc
import importlib.machinery
import importlib.metadata
import types


class _StubMeta(abc.ABCMeta):
    """abc.ABCMeta underneath, so vLLM classes may derive from a stub and an ABC at once."""

    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = _stub(f"{cls.__qualname__}.{name}")
        type.__setattr__(cls, name, value)
        return value

    def __call__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]
        # The same stub for every call, so `f(a) == f(b)` holds as vLLM's registries expect.
        result = cls.__dict__.get("_stub_result")
        if result is None:
            result = _stub(f"{cls.__qualname__}()")
            type.__setattr__(cls, "_stub_result", result)
        return result

    def register(cls, *args, **kwargs):
        # A stub's `register` (transformers' AutoConfig.register…), not ABCMeta's.
        return cls

    def __getitem__(cls, item):
        return cls

    def __iter__(cls):
        return iter(())

    def __bool__(cls):
        return False

    def __len__(cls):
        return 0

    def __int__(cls):
        return 0

    def __index__(cls):
        return 0

    def __float__(cls):
        return 0.0

    def __lt__(cls, other):
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def __enter__(cls):
        return cls

    def __exit__(cls, *exc):
        return False

    def __hash__(cls):
        return id(cls)

    def __eq__(cls, other):
        return cls is other

    def _same(cls, *args):
        return cls

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _same
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = _same
    __and__ = __rand__ = __xor__ = __rxor__ = __neg__ = __pos__ = __invert__ = _same


def _any_schema(cls, source, handler):
    from pydantic_core import core_schema

    return core_schema.any_schema()


def _stub(name):
    namespace = {
        "__module__": "stub",
        "__init_subclass__": classmethod(lambda cls, **kwargs: None),
        "__get_pydantic_core_schema__": classmethod(_any_schema),
    }
    return _StubMeta(name, (), namespace)


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = _stub(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


class StubFinder(importlib.abc.MetaPathFinder):
    """Stubs the named modules and everything under them."""

    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, fullname, path, target=None):
        parts = fullname.split(".")
        if any(".".join(parts[:i]) in self.names for i in range(1, len(parts) + 1)):
            return importlib.machinery.ModuleSpec(fullname, _StubLoader(), is_package=True)
        return None


def install(names, versions):
    """Stubs `names` (first on the import path) and answers importlib.metadata.version for the
    stubbed distributions vLLM checks at import time with the versions it pins."""
    import sys

    sys.meta_path.insert(0, StubFinder(names))
    real_version = importlib.metadata.version

    def version(name):
        try:
            return real_version(name)
        except importlib.metadata.PackageNotFoundError:
            if name in versions:
                return versions[name]
            raise

    importlib.metadata.version = version
