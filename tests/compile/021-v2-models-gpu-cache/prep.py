print('prep.py')
