# step1.py
