/* ll-rng.c: to be written */
