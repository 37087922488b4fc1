// SPDX-License-Identifier: MIT
// A program with visible phases, for the instruction-rate timeline:
//   1. compute: an integer loop (high instructions per second);
//   2. sleep: SLEEP_MS in 10 ms nanosleep()s (next to no instructions);
//   3. memory: a pointer chase over 16 MiB (memory-bound);
//   4. compute again.
// usage: phases ITERATIONS SLEEP_MS CHASE_STEPS
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t compute(uint64_t n, uint64_t seed)
{
	uint64_t x = seed, s = 0;

	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s += x % 1000003;
	}
	return s;
}

static uint64_t chase(uint64_t steps)
{
	enum { N = 1 << 21 }; /* 2 Mi entries of 8 bytes */
	uint64_t *next = malloc(N * sizeof(*next)), i = 0, s = 0;

	if (!next)
		return 0;
	for (uint64_t k = 0; k < N; k++)
		next[k] = (k * 1103515245ull + 12345ull) % N;
	for (uint64_t k = 0; k < steps; k++) {
		i = next[i];
		s += i;
	}
	free(next);
	return s;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
	long sleep_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 500;
	uint64_t steps = argc > 3 ? strtoull(argv[3], NULL, 10) : 4000000;
	struct timespec ten_ms = {0, 10 * 1000 * 1000};
	uint64_t s = compute(n, 88172645463325252ull);

	for (long t = 0; t < sleep_ms; t += 10)
		nanosleep(&ten_ms, NULL);
	s += chase(steps);
	s += compute(n, s | 1);
	printf("%llu\n", (unsigned long long)s);
	return 0;
}
