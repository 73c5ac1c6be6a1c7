/* ll-arch.c: to be written */
