/* ll-presets.c: to be written */
