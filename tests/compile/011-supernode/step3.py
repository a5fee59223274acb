# step3.py
