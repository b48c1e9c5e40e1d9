"""ConvLab benchmarks (`make bench`, i.e. `python -m benchmarks`): see __main__.py."""
