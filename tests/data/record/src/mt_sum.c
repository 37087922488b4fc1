/*
 * mt_sum -- several threads running the same code at once.
 *
 * Starts N worker threads (default 4) that all run the same loop over
 * their own data, so that the same translation blocks execute on several
 * vCPUs concurrently: the case where a non-atomic counter loses counts.
 * Prints a checksum.
 *
 * Usage: mt_sum [threads] [iterations]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct work {
    uint64_t seed;
    long iters;
    uint64_t result;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 29;
    return x;
}

static void *worker(void *arg)
{
    struct work *w = arg;
    uint64_t acc = w->seed;

    for (long i = 0; i < w->iters; i++) {
        if (mix(acc + (uint64_t)i) & 1)
            acc += mix(acc);
        else
            acc ^= (uint64_t)i;
    }
    w->result = acc;
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4;
    long iters = argc > 2 ? atol(argv[2]) : 2000000;
    pthread_t t[64];
    struct work w[64];
    uint64_t sum = 0;

    if (n < 1 || n > 64)
        return 2;
    for (int i = 0; i < n; i++) {
        w[i].seed = (uint64_t)i + 1;
        w[i].iters = iters;
        if (pthread_create(&t[i], NULL, worker, &w[i]))
            return 1;
    }
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        sum += w[i].result;
    }
    printf("mt_sum: %d threads, checksum %016llx\n", n,
           (unsigned long long)sum);
    return 0;
}
