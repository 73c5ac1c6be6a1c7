/* ll-gemm.c: to be written */
