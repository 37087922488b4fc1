/*
 * exit_status -- end in a chosen way, for the exit status pass-through.
 *
 * Usage: exit_status N      exit with status N
 *        exit_status abort  raise SIGABRT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "abort"))
        abort();
    printf("exiting with %s\n", argc > 1 ? argv[1] : "0");
    return argc > 1 ? atoi(argv[1]) : 0;
}
