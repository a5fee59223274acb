# b.py
