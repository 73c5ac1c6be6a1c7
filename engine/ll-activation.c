/* ll-activation.c: to be written */
