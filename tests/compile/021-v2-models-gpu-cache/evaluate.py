print('evaluate.py')
