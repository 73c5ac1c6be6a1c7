/* ll-types.c: to be written */
