# a.py
