"""Answers for 06_performance."""


# Exercise 1: each of the m·n outputs takes k multiplies and k adds
def my_gflops(m, n, k, seconds):
    return 2 * m * n * k / seconds / 1e9
