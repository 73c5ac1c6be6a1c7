/* ll-init.c: to be written */
