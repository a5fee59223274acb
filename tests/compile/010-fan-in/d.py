# d.py
