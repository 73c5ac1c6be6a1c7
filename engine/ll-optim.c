/* ll-optim.c: to be written */
