/* ll-dataset.c: to be written */
