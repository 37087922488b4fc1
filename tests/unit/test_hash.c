/* SPDX-License-Identifier: MIT */
/*
 * hash.h (FNV-1a) and sha256.h.  The expected values are published test
 * vectors: FNV-1a 64 from the FNV reference test suite (Noll), SHA-256
 * from FIPS 180-2's examples; both also checked with an outside tool
 * (a Python FNV loop, sha256sum).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hash.h"
#include "sha256.h"

static void fnv1a_vectors(void **state)
{
	(void)state;
	assert_true(fnv1a("") == 0xcbf29ce484222325ull);
	assert_true(fnv1a("a") == 0xaf63dc4c8601ec8cull);
	assert_true(fnv1a("foobar") == 0x85944171f73967e8ull);
	assert_true(fnv1a_bytes(FNV1A_INIT, "foobar", 6) ==
		    0x85944171f73967e8ull);
}

/* Piece by piece is the same as whole; the NUL only counts when fed. */
static void fnv1a_incremental(void **state)
{
	uint64_t h = FNV1A_INIT;

	(void)state;
	h = fnv1a_str(h, "foo");
	h = fnv1a_byte(h, 'b');
	h = fnv1a_bytes(h, "ar", 2);
	assert_true(h == 0x85944171f73967e8ull);
	assert_true(fnv1a_bytes(FNV1A_INIT, "a", 2) != fnv1a("a"));
	assert_true(fnv1a_bytes(FNV1A_INIT, "a", 2) ==
		    fnv1a_byte(fnv1a("a"), 0));
}

static void check_sha(const void *data, size_t len, const char *want)
{
	char out[SHA256_HEX_LEN + 1];

	memset(out, 'x', sizeof(out));
	sha256_hex(data, len, out);
	assert_string_equal(out, want);
}

static void sha256_vectors(void **state)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijk"
					 "ljklmklmnlmnomnopnopq";
	char *million = malloc(1000000);

	(void)state;
	check_sha(NULL, 0,
		  "e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3,
		  "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad");
	check_sha(two_blocks, strlen(two_blocks),
		  "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	check_sha(million, 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67"
		  "f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fnv1a_vectors),
		cmocka_unit_test(fnv1a_incremental),
		cmocka_unit_test(sha256_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
