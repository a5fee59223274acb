# step2.py
