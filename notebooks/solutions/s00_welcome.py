"""Answers for 00_welcome."""
# y = a * b + c: the multiplication sends a the other input, b, times the incoming gradient 1.
answer = -3.0
