/* ll-layers-core.c: to be written */
