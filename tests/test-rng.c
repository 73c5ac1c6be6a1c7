/* test-rng.c: to be written */
int main (void) { return 77; }
