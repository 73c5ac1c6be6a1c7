/* ll-trainer.c: to be written */
