/* test-loss.c: to be written */
int main (void) { return 77; }
