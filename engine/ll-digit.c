/* ll-digit.c: to be written */
