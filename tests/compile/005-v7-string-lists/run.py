# run.py
