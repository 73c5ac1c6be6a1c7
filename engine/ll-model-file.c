/* ll-model-file.c: to be written */
