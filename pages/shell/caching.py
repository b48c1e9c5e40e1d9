"""Results shared by every session: bounded LRU stores, one per kind of result, with nearly free hits.

A store maps a small key (a digest of the arguments) to the result itself: a hit returns the stored
object, no copy and no unpickling (st.cache_data pickles a copy on every hit). Results are read-only:
callers copy before they change anything (figures.taller, figures.themed, animation.at_step do).
One store per kind (a figure builder, a cached function), so per-drawing results, made anew for every
stroke, evict only each other and never the lessons' shared figures.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

_SCALARS = (str, int, float, bool, complex, bytes, type(None))


class Store:
    """A bounded LRU map under a lock; get(key, make) builds outside the lock (a rare double build is harmless)."""

    def __init__(self, max_entries):
        self.max_entries = max_entries
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make):
        """The stored value, or make()'s, stored."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return self.put(key, make())

    def find(self, key):
        """The stored value (now the most recently used), or None: for results only some calls can make."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key, value):
        """Store value under key (the least recently used dropped past max_entries); returns value."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def __len__(self):
        return len(self._items)

    def __contains__(self, key):
        return key in self._items


@st.cache_resource(show_spinner=False)
def _stores():
    """name -> Store, one per process (shared by all sessions)."""
    return {}, threading.Lock()


def store(name, max_entries):
    """The shared store called `name` (made with max_entries on first use)."""
    stores, lock = _stores()
    with lock:
        return stores.setdefault(name, Store(max_entries))


def digest(*parts):
    """A 16-byte digest of values: arrays by dtype, shape and bytes; containers item by item; scalars by repr."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        _feed(h, part)
    return h.digest()


def _feed(h, value):
    if isinstance(value, _SCALARS):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, (np.ndarray, np.generic)):
        value = np.asarray(value)
        h.update(f"nd:{value.dtype.str}:{value.shape};".encode())
        h.update(pickle.dumps(value) if value.dtype.hasobject else np.ascontiguousarray(value).data)
    elif isinstance(value, (tuple, list)):
        h.update(f"{type(value).__name__}[{len(value)}".encode())
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(value, dict):
        h.update(f"dict[{len(value)}".encode())
        for key, item in value.items():
            _feed(h, key)
            _feed(h, item)
        h.update(b"]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"{type(value).__qualname__}(".encode())
        for field in dataclasses.fields(value):
            _feed(h, getattr(value, field.name))
        h.update(b")")
    elif callable(value) and hasattr(value, "__qualname__"):
        h.update(f"fn:{getattr(value, '__module__', '')}.{value.__qualname__};".encode())
    else:
        h.update(pickle.dumps(value))


def qualname(function):
    return f"{function.__module__}.{function.__qualname__}"


def shared(max_entries):
    """Decorator: function(*args, **kwargs) cached in its own shared store (read-only results)."""
    def decorate(function):
        name = qualname(function)

        @functools.wraps(function)
        def cached(*args, **kwargs):
            return store(name, max_entries).get(digest(args, kwargs), lambda: function(*args, **kwargs))
        return cached
    return decorate
