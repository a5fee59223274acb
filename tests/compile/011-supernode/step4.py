# step4.py
