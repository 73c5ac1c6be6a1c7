/* ll-loss.c: to be written */
