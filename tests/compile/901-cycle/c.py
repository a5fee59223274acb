# c.py
