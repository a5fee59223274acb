print('train.py')
