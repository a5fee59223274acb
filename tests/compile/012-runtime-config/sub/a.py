# sub/a.py
