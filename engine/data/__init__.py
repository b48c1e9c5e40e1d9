"""Data that ships with installed packages or assets/: photos, classic kernels, matrices as text."""
