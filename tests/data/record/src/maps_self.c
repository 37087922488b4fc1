/*
 * maps_self -- copy the process's own /proc/self/maps to a file.
 *
 * Under QEMU user mode the guest's /proc/self/maps is QEMU's emulation of
 * it: the guest's mappings at guest addresses.  Unless built with
 * -DNO_DLOPEN, the program first dlopen()s libm and calls cos() through
 * it, and with "close" dlclose()s libm after the copy, so that the library
 * is gone when the program exits.
 *
 * Usage: maps_self OUTFILE [close]
 */
#include <stdio.h>
#include <string.h>
#ifndef NO_DLOPEN
#include <dlfcn.h>
#endif

int main(int argc, char **argv)
{
    char buf[4096];
    size_t n;
    FILE *in, *out;
    volatile double x = 0.5;

    if (argc < 2)
        return 2;
#ifndef NO_DLOPEN
    void *h = dlopen("libm.so.6", RTLD_NOW);
    double (*cosine)(double);

    if (!h)
        return 3;
    *(void **)&cosine = dlsym(h, "cos");
    if (!cosine)
        return 4;
    x = cosine(x);
#endif
    in = fopen("/proc/self/maps", "r");
    out = fopen(argv[1], "w");
    if (!in || !out)
        return 5;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    if (fclose(out))
        return 6;
#ifndef NO_DLOPEN
    if (argc > 2 && !strcmp(argv[2], "close"))
        dlclose(h);
#endif
    printf("%.6f\n", x);
    return 0;
}
