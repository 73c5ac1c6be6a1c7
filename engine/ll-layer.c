/* ll-layer.c: to be written */
