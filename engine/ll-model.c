/* ll-model.c: to be written */
