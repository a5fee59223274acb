# train.py
